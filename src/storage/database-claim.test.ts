// One server per database: a second claim is refused on every backend, and
// a claim ends with its holder, however the holder ended.

import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { claimDatabase } from './database.ts'
import { storageBackends } from './test-backends.ts'

const refusedBy = {
  sqlite:
    /^Another Omnigent server \(pid \d+\) is using .*omni\.db; stop it first, or give this one another --data-dir\.$/,
  postgres:
    /^Another Omnigent server is using this database for workspace "w_a"; stop it first, or give this one another --database-url\.$/,
}

for (const backend of storageBackends()) {
  describe(`claiming a ${backend.name} database`, () => {
    test('refuses a second server until the first lets go', async () => {
      const place = await backend.place()
      try {
        const first = await claimDatabase(place.options, 'w_a')
        await assert.rejects(claimDatabase(place.options, 'w_a'), {
          message: refusedBy[backend.name],
        })

        await first.release()
        const next = await claimDatabase(place.options, 'w_a')
        await next.release()
      } finally {
        await place.cleanup()
      }
    })
  })
}

describe('claiming a SQLite file', () => {
  test('takes over a claim whose process has ended', async () => {
    const place = await storageBackends()[0]!.place()
    const { sqlitePath } = place.options as { sqlitePath: string }
    const ended = spawnSync('true').pid
    writeFileSync(`${sqlitePath}.lock`, JSON.stringify({ pid: ended }))
    try {
      const claim = await claimDatabase(place.options, 'w_a')
      await claim.release()
    } finally {
      await place.cleanup()
    }
  })

  test('takes over a claim whose process has ended but was never collected', async (t) => {
    // `sleep` never waits for the shell's background child, so that child
    // stays a zombie, as a killed server does under a parent that does not
    // reap its children.
    const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 30'])
    t.after(() => parent.kill())
    const zombie = Number(
      await new Promise<string>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk))),
      ),
    )
    const stat = () => readFileSync(`/proc/${zombie}/stat`, 'utf8')
    while (!/\) Z /.test(stat())) await new Promise((r) => setTimeout(r, 10))
    const started = stat().split(') ')[1]!.split(' ')[19]

    const place = await storageBackends()[0]!.place()
    const { sqlitePath } = place.options as { sqlitePath: string }
    writeFileSync(
      `${sqlitePath}.lock`,
      JSON.stringify({ pid: zombie, started }),
    )
    try {
      const claim = await claimDatabase(place.options, 'w_a')
      await claim.release()
    } finally {
      await place.cleanup()
    }
  })

  test('does not mistake a reused pid for the server that claimed it', async () => {
    const place = await storageBackends()[0]!.place()
    const { sqlitePath } = place.options as { sqlitePath: string }
    // This very process, but as if it had started at another time.
    writeFileSync(
      `${sqlitePath}.lock`,
      JSON.stringify({ pid: process.pid, started: '1' }),
    )
    try {
      const claim = await claimDatabase(place.options, 'w_a')
      await claim.release()
    } finally {
      await place.cleanup()
    }
  })
})

describe('claiming a PostgreSQL database', () => {
  test('lets servers of other workspaces share it', async () => {
    const place = await storageBackends()[1]!.place()
    try {
      const a = await claimDatabase(place.options, 'w_a')
      const b = await claimDatabase(place.options, 'w_b')
      await a.release()
      await b.release()
    } finally {
      await place.cleanup()
    }
  })
})
