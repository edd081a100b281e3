// `npm run bench`: how fast access is decided and how fast a revoke reaches
// a live viewer, on this machine. Everything runs in this process against a
// real server on loopback with SQLite; every loop is bounded and the script
// stops by itself. Prints the median and the 99th percentile of:
//
//   a. one access decision (the policy alone, decideSession);
//   b. one full decision: the viewer's relation read from SQLite, then the
//      policy;
//   c. a revoke request until the revoked viewer's stream is closed, while
//      1,000 viewers follow the session (one revoked, 999 by another grant).

import { decideSession, type Relation } from '../src/access/policy.ts'
import {
  addPeople,
  RecordingHost,
  setEnabled,
  startTestServer,
  type Socket,
  type TestServer,
} from '../src/server/server.test-support.ts'
import { relationOf } from '../src/storage/grant-store.ts'

const decisionBatches = 2_000
const decisionsPerBatch = 1_000
const lookups = 5_000
const viewers = 1_000
const revokes = 50

interface Row {
  measure: string
  samples: number
  median: string
  p99: string
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  )
  return sorted[Math.max(0, index)] ?? Number.NaN
}

function row(
  measure: string,
  samples: number[],
  unit: 'ns' | 'µs' | 'ms',
): Row {
  const sorted = [...samples].sort((a, b) => a - b)
  const scale = unit === 'ns' ? 1e6 : unit === 'µs' ? 1e3 : 1
  const show = (ms: number) =>
    `${(ms * scale).toFixed(unit === 'ms' ? 2 : 1)} ${unit}`
  return {
    measure,
    samples: samples.length,
    median: show(percentile(sorted, 50)),
    p99: show(percentile(sorted, 99)),
  }
}

// (a) A single decision takes tens of nanoseconds, below the timer's grain,
// so each sample is a batch of decisions divided by its size.
function benchDecision(): number[] {
  const relations: Relation[] = ['owner', 'edit', 'read', 'none']
  const samples: number[] = []
  let allowed = 0
  for (let batch = 0; batch < decisionBatches; batch += 1) {
    const start = performance.now()
    for (let i = 0; i < decisionsPerBatch; i += 1) {
      const relation = relations[i & 3] ?? 'none'
      if (decideSession(relation, 'session.send').allowed) allowed += 1
    }
    samples.push((performance.now() - start) / decisionsPerBatch)
  }
  if (allowed === 0) throw new Error('the policy allowed nothing')
  return samples
}

// (b) What every request pays: the relation from the database, then policy.
async function benchFullDecision(
  server: TestServer,
  sessionId: string,
  userIds: string[],
): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < lookups; i += 1) {
    const userId = userIds[i % userIds.length] ?? ''
    const start = performance.now()
    const relation = await relationOf(server.db, 'default', sessionId, userId)
    decideSession(relation, 'session.view')
    samples.push(performance.now() - start)
  }
  return samples
}

// (c) The revoked viewer's stream must close while 999 others stay open.
async function benchRevoke(
  server: TestServer,
  people: Awaited<ReturnType<typeof cast>>,
  sessionId: string,
): Promise<number[]> {
  const path = `/api/sessions/${sessionId}/follow`
  const others: Socket[] = []
  for (let i = 0; i < viewers - 1; i += 1) {
    others.push(await server.openSocket(people.bob.web, path))
  }

  const samples: number[] = []
  for (let round = 0; round < revokes; round += 1) {
    const revoked = await server.openSocket(people.carol.web, path)
    await revoked.waitFor((frame) => frame.type === 'access')

    const start = performance.now()
    const reply = await server.call(
      people.owner.web,
      'DELETE',
      `/api/sessions/${sessionId}/grants/${people.carol.email}`,
    )
    const closed = await revoked.waitClosed(10_000)
    samples.push(closed.at - start)
    if (reply.status !== 204) throw new Error(`revoke: ${reply.status}`)

    await share(server, people, sessionId, people.carol.email, 'read')
  }

  const stillOpen = others.filter((socket) => socket.isOpen).length
  if (stillOpen !== viewers - 1) {
    throw new Error(
      `${viewers - 1 - stillOpen} other viewers lost their stream`,
    )
  }
  for (const socket of others) socket.close()
  return samples
}

function cast(server: TestServer) {
  return addPeople(
    server,
    { email: 'admin@example.com', password: 'admin password 1' },
    {
      owner: { email: 'owner@example.com' },
      bob: { email: 'bob@example.com' },
      carol: { email: 'carol@example.com' },
    },
  )
}

async function share(
  server: TestServer,
  people: Awaited<ReturnType<typeof cast>>,
  sessionId: string,
  email: string,
  level: 'read' | 'edit',
): Promise<void> {
  const reply = await server.call(
    people.owner.web,
    'PUT',
    `/api/sessions/${sessionId}/grants`,
    { email, level },
  )
  if (reply.status !== 200) throw new Error(`share: ${reply.status}`)
}

async function main(): Promise<void> {
  const server = await startTestServer()
  try {
    const people = await cast(server)
    await setEnabled(server, people.admin, true)
    const host = await RecordingHost.connect(
      server,
      people.owner.bearer,
      'h_bench',
      'bench',
    )
    const created = await server.call(
      people.owner.web,
      'POST',
      '/api/sessions',
      {
        host: 'bench',
        title: 'Benchmark',
      },
    )
    const sessionId: string = created.body.id
    await share(server, people, sessionId, people.bob.email, 'read')
    await share(server, people, sessionId, people.carol.email, 'read')

    const userIds = (
      await server.db.selectFrom('users').select('id').execute()
    ).map((user) => user.id)

    const rows = [
      row('a. one access decision (decideSession)', benchDecision(), 'ns'),
      row(
        'b. relation from SQLite + decision',
        await benchFullDecision(server, sessionId, userIds),
        'µs',
      ),
      row(
        `c. revoke → stream closed, ${viewers} viewers`,
        await benchRevoke(server, people, sessionId),
        'ms',
      ),
    ]
    host.socket.close()
    console.log(
      `Omnigent access benchmark (Node ${process.version}, in-process, SQLite, loopback)`,
    )
    console.table(rows)
  } finally {
    await server.close()
  }
}

await main()
