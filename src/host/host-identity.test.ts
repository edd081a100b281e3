import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'

import { loadOrCreateHostIdentity } from './host-identity.ts'

let root: string
let home: string

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'omni-identity-'))
  home = join(root, 'omni-home')
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const modeOf = async (path: string) => (await stat(path)).mode & 0o777

describe('loadOrCreateHostIdentity', () => {
  it('creates a private home and host file named after the machine', async () => {
    const identity = await loadOrCreateHostIdentity(home)

    assert.match(identity.id, /^h_[a-z2-9]{12}$/)
    assert.equal(identity.name, hostname())
    assert.equal(await modeOf(home), 0o700)
    assert.equal(await modeOf(join(home, 'host.json')), 0o600)
    const stored = JSON.parse(await readFile(join(home, 'host.json'), 'utf8'))
    assert.deepEqual(stored, identity)
  })

  it('keeps the same id across loads and saves an explicit name', async () => {
    const first = await loadOrCreateHostIdentity(home)
    const renamed = await loadOrCreateHostIdentity(home, 'build-box')
    const again = await loadOrCreateHostIdentity(home)

    assert.deepEqual(renamed, { id: first.id, name: 'build-box' })
    assert.deepEqual(again, { id: first.id, name: 'build-box' })
    assert.equal(await modeOf(join(home, 'host.json')), 0o600)
  })

  it('refuses a host file that is not a host identity and names it', async () => {
    await loadOrCreateHostIdentity(home)
    const file = join(home, 'host.json')
    await writeFile(file, '{"id": 7}')

    await assert.rejects(loadOrCreateHostIdentity(home), {
      message: `${file} is not a valid host identity; fix it or remove it to register this machine as a new host.`,
    })
  })
})
