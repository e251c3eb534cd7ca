// The PostgreSQL store's schema, as numbered migrations applied at start. Each runs once per
// schema (schema_migrations remembers it); replicas starting at the same moment take an advisory
// lock first, so one applies them and the others find them applied.
import type { ClientBase } from 'pg'

export interface Migration { version: number, name: string, sql: string }

export const MIGRATIONS: readonly Migration[] = [{
  version: 1,
  name: 'rows, change feed and the commit function',
  sql: `
-- One row per engine record. value is the record's JSON as text (ids and values may hold U+0000,
-- which jsonb refuses; the store escapes it in ids, JSON escapes it in values). version grows by
-- one at each change: a commit names the version it read, and the update finds no row when
-- another gateway changed it meanwhile. A deleted record stays as a tombstone (value NULL) so
-- that its version goes on growing: a record deleted and made again (a leased task) never comes
-- back with a version an earlier reader could mistake for the one it read.
CREATE TABLE paylab_rows (
  tbl text NOT NULL,
  id text NOT NULL,
  -- The natural key that must be unique besides the id: merchant + merchant_order_id of a
  -- payment, merchant + merchant_refund_id of a refund.
  uniq text,
  value text,
  version integer NOT NULL,
  -- Creation order: the engine's tables keep records in it (paging, sweeps stop at the first live one).
  born bigserial NOT NULL,
  PRIMARY KEY (tbl, id)
);
CREATE UNIQUE INDEX paylab_rows_uniq ON paylab_rows (tbl, uniq) WHERE uniq IS NOT NULL;

-- Every committed change in commit order: how a gateway learns what the others did.
CREATE TABLE paylab_changes (
  seq bigserial PRIMARY KEY,
  tbl text NOT NULL,
  id text NOT NULL,
  value text,
  version integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

-- One engine commit in one round trip and one transaction: version-checked writes, then the
-- changes appended to the feed. The feed is appended under a lock held until the commit, so seq
-- order is commit order and a reader of "seq > n" never skips a change committed later with a
-- smaller seq. A conflict raises PY409 and nothing of the commit stays.
CREATE FUNCTION paylab_apply(batch text) RETURNS bigint[] LANGUAGE plpgsql AS $fn$
DECLARE
  c json;
  n integer;
  seqs bigint[];
BEGIN
  FOR c IN SELECT value FROM json_array_elements(batch::json) LOOP
    IF (c->>'e')::integer = 0 THEN
      INSERT INTO paylab_rows (tbl, id, uniq, value, version) VALUES (c->>'t', c->>'k', c->>'u', c->>'v', 1) ON CONFLICT DO NOTHING;
    ELSE
      UPDATE paylab_rows SET value = c->>'v', uniq = c->>'u', version = version + 1
      WHERE tbl = c->>'t' AND id = c->>'k' AND version = (c->>'e')::integer;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
      RAISE EXCEPTION 'paylab: % % changed under this commit', c->>'t', c->>'k' USING ERRCODE = 'PY409', DETAIL = c->>'t', HINT = c->>'k';
    END IF;
  END LOOP;
  PERFORM pg_advisory_xact_lock(20260, hashtext(current_schema()));
  WITH ins AS (
    INSERT INTO paylab_changes (tbl, id, value, version)
    SELECT x.c->>'t', x.c->>'k', x.c->>'v', (x.c->>'e')::integer + 1
    FROM json_array_elements(batch::json) WITH ORDINALITY AS x(c, i) ORDER BY x.i
    RETURNING seq
  ) SELECT array_agg(seq) INTO seqs FROM ins;
  RETURN seqs;
END
$fn$;
`
}, {
  version: 2,
  name: 'the request journal of every gateway',
  sql: `
-- The request journal (gateway/engine/journal.ts) of every gateway on the database, one row per
-- answered request; seq is one order for all of them. The filter columns are the entry's own
-- fields (ids escaped as paylab_rows' are); at_ms is its time in ms. Bounded: the gateways delete
-- all but the newest entries (journal.ts).
CREATE TABLE paylab_journal (
  seq bigserial PRIMARY KEY,
  merchant_id text,
  channel text,
  method text NOT NULL,
  path text NOT NULL,
  status integer,
  payment_id text,
  at_ms double precision NOT NULL,
  entry text NOT NULL
);
`
}, {
  version: 3,
  name: 'pruning the change feed and tombstones',
  sql: `
-- How far each gateway has read the feed (reported now and then, see feed.ts): the feed rows every
-- live gateway has read are deleted. A gateway not heard of for a while is no longer waited for.
CREATE TABLE paylab_replicas (
  id text PRIMARY KEY,
  last_seq bigint NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now()
);
-- The last seq deleted from the feed: a gateway that has not read that far reloads every row.
CREATE TABLE paylab_feed_floor (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  floor bigint NOT NULL
);
INSERT INTO paylab_feed_floor (floor) VALUES (0);
-- Tombstones, found without reading every row.
CREATE INDEX paylab_rows_dead ON paylab_rows (tbl, id) WHERE value IS NULL;
`
}]

/** Applies the migrations this schema lacks, creating the schema first when search_path names one that is missing. */
export async function migrate (client: ClientBase): Promise<number[]> {
  const path = (await client.query<{ search_path: string }>('SHOW search_path')).rows[0]?.search_path ?? ''
  const first = path.split(',')[0]?.trim() ?? ''
  if (first !== '' && first !== '"$user"') {
    // Two replicas creating it at once: the second finds it made (a unique violation at worst).
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${first.startsWith('"') ? first : quoteIdent(first)}`).catch((err: { code?: string }) => {
      if (err.code !== '23505' && err.code !== '42P06') throw err
    })
  }
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(20261, hashtext(current_schema()))')
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())')
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    const applied: number[] = []
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue
      await client.query(m.sql)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
      applied.push(m.version)
    }
    await client.query('COMMIT')
    return applied
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}

function quoteIdent (name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
