// examples/postgres/ (docs/postgres.md): the docker compose file of a team sandbox, PostgreSQL, two
// replicas and Caddy. Docker is not run here; what is checked is that the file says what the
// docs say and that the command its replicas run is one the CLI takes, every flag and value.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { runGateway } from '../../gateway/cli.js'
import { captureOutput } from '../helpers/cli.js'

const EXAMPLE = new URL('../../examples/postgres/', import.meta.url)
interface Service { image?: string, command?: string, environment?: Record<string, string>, volumes?: string[], working_dir?: string }
const compose = parse(readFileSync(new URL('docker-compose.yml', EXAMPLE), 'utf8'), { merge: true }) as { services: Record<string, Service> }
const caddyfile = readFileSync(new URL('Caddyfile', EXAMPLE), 'utf8')

/** A compose command string as compose splits it (shell-like words, double quotes). */
const words = (command: string): string[] => [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '')

t.test('PostgreSQL 15, two replicas on it running the same command, Caddy in front', async (t) => {
  const { postgres, caddy, ...rest } = compose.services
  t.match(postgres?.image, /^postgres:15/)
  t.match(caddy?.image, /^caddy:/)
  const replicas = Object.values(rest)
  t.equal(replicas.length, 2, 'two gateway replicas')
  t.equal(replicas[0]?.command, replicas[1]?.command, 'the same command')
  t.same(replicas[0]?.environment, replicas[1]?.environment, 'the same environment')
  const url = new URL(replicas[0]?.environment?.PAYLAB_DATABASE_URL ?? '')
  const env = postgres?.environment ?? {}
  t.same([url.hostname, url.username, url.password, url.pathname], ['postgres', env.POSTGRES_USER, env.POSTGRES_PASSWORD, `/${env.POSTGRES_DB ?? ''}`], 'the database the postgres service makes')
  // The repository is mounted at the working dir: the command's script is the repository's.
  t.same(replicas[0]?.volumes, ['../..:/app:ro'])
  t.equal(replicas[0]?.working_dir, '/app')
  const [node, script, sub] = words(replicas[0]?.command ?? '')
  t.same([node, sub], ['node', 'gateway'])
  t.ok(existsSync(fileURLToPath(new URL(`../../${script ?? ''}`, EXAMPLE))), `${script ?? ''} is in the repository`)
})

t.test('the replicas\' command passes every check of paylab gateway, with the database URL of their environment', async (t) => {
  const replica = compose.services['gateway-1']
  const args = words(replica?.command ?? '').slice(3)
  // With --memory beside the URL, the CLI stops at its last check, after reading every other flag
  // and value (an unknown flag or a bad value would be named instead), without starting anything.
  process.env.PAYLAB_DATABASE_URL = replica?.environment?.PAYLAB_DATABASE_URL
  const run = await captureOutput(async () => await runGateway([...args, '--memory'])).finally(() => { delete process.env.PAYLAB_DATABASE_URL })
  t.equal(run.code, 2)
  t.match(run.stderr, /^paylab gateway: --database-url and --memory exclude each other/)
  const port = args[args.indexOf('--port') + 1]
  t.equal(args[args.indexOf('--host') + 1], '0.0.0.0', 'listening beyond the container')
  t.match(caddyfile, new RegExp(`reverse_proxy gateway-1:${port ?? ''} gateway-2:${port ?? ''}`), 'Caddy sends to both replicas, on their port')
  t.match(caddyfile, /health_uri \/healthz/, 'and checks them on /healthz')
  t.match(args[args.indexOf('--public-url') + 1], new RegExp(`:${/^:(\d+)/m.exec(caddyfile)?.[1] ?? 'none'}$`), 'the public URL is Caddy\'s address')
})
