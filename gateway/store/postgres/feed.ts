// Keeping the change feed and the tombstones of paylab_rows bounded. Every gateway reports now and
// then how far it has read the feed (paylab_replicas); one at a time (an advisory lock), a gateway
// then deletes the feed rows every live gateway has read, and those older than the horizon
// whoever has not read them: a gateway that far behind (stopped, paused, cut off) finds the feed's
// floor above what it read and reloads every row instead (postgres-store.ts). A tombstone goes
// once the feed row of its deletion has: every gateway has then applied the deletion.
import type pg from 'pg'

/** Real ms between two reports of a gateway (and its attempts to prune). */
export const PRUNE_EVERY_MS = 10_000
/** Real ms after which a gateway that has not reported is no longer waited for, and feed rows are deleted anyway. */
export const FEED_HORIZON_MS = 5 * 60_000

export interface Pruned {
  /** Feed rows up to this seq are gone (0: none this time, or another gateway was pruning). */
  floor: number
  changes: number
  tombstones: number
}

/** Where this gateway is in the feed: from its start (it is waited for from then on) and now and then. */
export async function report (client: pg.ClientBase, replica: string, lastSeq: number): Promise<void> {
  await client.query(`INSERT INTO paylab_replicas (id, last_seq) VALUES ($1, $2)
    ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, seen_at = now()`, [replica, lastSeq])
}

/** A gateway that stops is no longer waited for. */
export async function leave (client: pg.ClientBase, replica: string): Promise<void> {
  await client.query('DELETE FROM paylab_replicas WHERE id = $1', [replica])
}

/** Reports this gateway's place in the feed; prunes when no other gateway is pruning. */
export async function pruneFeed (client: pg.ClientBase, replica: string, lastSeq: number, horizonMs: number): Promise<Pruned> {
  await report(client, replica, lastSeq)
  await client.query('BEGIN')
  try {
    const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(20262, hashtext(current_schema())) AS ok')).rows[0]?.ok === true
    if (!locked) { await client.query('COMMIT'); return { floor: 0, changes: 0, tombstones: 0 } }
    const horizon = `now() - make_interval(secs => ${horizonMs / 1000})`
    await client.query(`DELETE FROM paylab_replicas WHERE seen_at < ${horizon}`)
    const cut = Number((await client.query<{ cut: string }>(`SELECT greatest(
      (SELECT coalesce(min(last_seq), 0) FROM paylab_replicas),
      (SELECT coalesce(max(seq), 0) FROM paylab_changes WHERE at < ${horizon})) AS cut`)).rows[0]?.cut ?? 0)
    const changes = (await client.query('DELETE FROM paylab_changes WHERE seq <= $1', [cut])).rowCount ?? 0
    await client.query('UPDATE paylab_feed_floor SET floor = greatest(floor, $1)', [cut])
    const tombstones = (await client.query(`DELETE FROM paylab_rows r WHERE r.value IS NULL
      AND NOT EXISTS (SELECT 1 FROM paylab_changes c WHERE c.tbl = r.tbl AND c.id = r.id)`)).rowCount ?? 0
    await client.query('COMMIT')
    return { floor: cut, changes, tombstones }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}
