// A copy of the server's database must not sign anyone in: after a CLI
// sign-in, a refresh and a device sign-in, no refresh token, code or device
// code the provider handed out appears anywhere in the SQLite files.

import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import * as client from 'openid-client'
import { completeDeviceCode } from '../../test/support/browser-sign-in.ts'
import { openDatabase, type Storage } from '../storage/database.ts'
import {
  codeFlowTokens,
  discover,
  loopbackListener,
} from './code-flow.test-support.ts'
import { addDirectoryUser } from './directory.ts'
import {
  startIdentityServer,
  testWorkspace,
  type IdentityServer,
} from './test-server.ts'

const member = { email: 'member@example.com', password: 'member password' }

describe('the built-in provider at rest', () => {
  let dir: string
  let path: string
  let storage: Storage
  let server: IdentityServer

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-at-rest-'))
    path = join(dir, 'omnigent.db')
    storage = await openDatabase({ sqlitePath: path })
    server = await startIdentityServer({ storage })
    await addDirectoryUser(storage.db, testWorkspace, {
      ...member,
      admin: false,
    })
  })
  after(async () => {
    await server.close()
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function databaseBytes(): Promise<string> {
    const files = [path, `${path}-wal`, `${path}-shm`]
    const contents = await Promise.all(
      files.map((file) => readFile(file).catch(() => Buffer.alloc(0))),
    )
    return Buffer.concat(contents).toString('latin1')
  }

  test('keeps no token value the provider handed out', async () => {
    const cli = { issuer: server.identity.issuer, clientId: 'omnigent-cli' }
    const loopback = await loopbackListener()
    const tokens = await codeFlowTokens(cli, member, loopback)
    const code = (await loopback.landed).searchParams.get('code')
    assert.ok(code && tokens.refresh_token)

    const config = await discover(cli)
    const refreshed = await client.refreshTokenGrant(
      config,
      tokens.refresh_token,
    )
    assert.ok(refreshed.refresh_token)

    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid email offline_access',
    })
    await completeDeviceCode(device.verification_uri, device.user_code, member)
    const deviceTokens = await client.pollDeviceAuthorizationGrant(config, {
      ...device,
      interval: 0,
    })
    assert.ok(deviceTokens.refresh_token)

    const stored = await databaseBytes()
    const secrets = {
      'refresh token': tokens.refresh_token,
      'rotated refresh token': refreshed.refresh_token,
      'authorization code': code,
      'device code': device.device_code,
      'device refresh token': deviceTokens.refresh_token,
    }
    for (const [name, value] of Object.entries(secrets)) {
      assert.equal(stored.includes(value), false, `${name} is stored`)
    }
  })
})
