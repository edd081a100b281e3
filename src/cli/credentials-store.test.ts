import assert from 'node:assert/strict'
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { CliError } from './cli-error.ts'
import {
  deleteProfile,
  findProfile,
  loadProfile,
  saveProfile,
  type ProfileRecord,
} from './credentials-store.ts'

function freshHome(): string {
  return join(mkdtempSync(join(tmpdir(), 'omni-cred-')), 'home')
}

function record(email: string, workspaceUrl: string): ProfileRecord {
  return {
    workspaceUrl,
    issuer: `${workspaceUrl}/oidc`,
    clientId: 'omnigent-cli',
    accessToken: `access-for-${email}`,
    refreshToken: `refresh-for-${email}`,
    expiresAt: 2_000_000_000,
    email,
  }
}

const mode = (path: string) => statSync(path).mode & 0o777

describe('credentials store', () => {
  it('creates the home directory 0700 and credentials.json 0600', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'https://a.example.com'))

    assert.equal(mode(home), 0o700)
    assert.equal(mode(join(home, 'credentials.json')), 0o600)
  })

  it('tightens an existing home directory to 0700', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'https://a.example.com'))
    chmodSync(home, 0o755)

    saveProfile(home, 'other', record('b@x.io', 'https://b.example.com'))

    assert.equal(mode(home), 0o700)
  })

  it('keeps profiles apart and reads back what it saved', () => {
    const home = freshHome()
    const work = record('a@x.io', 'https://work.example.com')
    const local = record('b@x.io', 'http://127.0.0.1:6767')
    saveProfile(home, 'default', work)
    saveProfile(home, 'local', local)

    assert.deepEqual(loadProfile(home, 'default'), work)
    assert.deepEqual(loadProfile(home, 'local'), local)
    assert.equal(deleteProfile(home, 'local'), true)
    assert.equal(findProfile(home, 'local'), undefined)
    assert.deepEqual(findProfile(home, 'default'), work)
  })

  it('saves the workspace URL in its canonical form', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'HTTP://LocalHost:80/'))

    const saved = JSON.parse(
      readFileSync(join(home, 'credentials.json'), 'utf8'),
    )
    assert.equal(saved.profiles.default.workspaceUrl, 'http://localhost')
  })

  it('reads a hand-written URL back in its canonical form', () => {
    const home = freshHome()
    const spelled = {
      ...record('a@x.io', 'https://a.example.com'),
      workspaceUrl: 'HTTPS://A.Example.com:443/',
    }
    mkdirSync(home)
    writeFileSync(
      join(home, 'credentials.json'),
      JSON.stringify({ version: 1, profiles: { default: spelled } }),
    )

    assert.equal(
      loadProfile(home, 'default').workspaceUrl,
      'https://a.example.com',
    )
  })

  it('replaces the file by rename, leaving no temporary file behind', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'https://a.example.com'))
    const before = statSync(join(home, 'credentials.json')).ino

    saveProfile(home, 'default', record('c@x.io', 'https://a.example.com'))

    assert.notEqual(statSync(join(home, 'credentials.json')).ino, before)
    assert.deepEqual(readdirSync(home), ['credentials.json'])
    assert.equal(mode(join(home, 'credentials.json')), 0o600)
    const text = readFileSync(join(home, 'credentials.json'), 'utf8')
    assert.equal(JSON.parse(text).profiles.default.email, 'c@x.io')
  })

  it('answers an unknown profile with a sign-in hint and exit code 3', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'https://a.example.com'))

    assert.throws(
      () => loadProfile(home, 'work'),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 3 &&
        error.message ===
          'Not signed in (no profile "work"). Run: omni login <workspace-url> --profile work',
    )
  })

  it('refuses a profile name that could escape the file format', () => {
    assert.throws(
      () =>
        saveProfile(
          freshHome(),
          '../x',
          record('a@x.io', 'https://a.example.com'),
        ),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 2 &&
        /is not a profile name/.test(error.message),
    )
  })

  it('names the file when it is not valid JSON', () => {
    const home = freshHome()
    saveProfile(home, 'default', record('a@x.io', 'https://a.example.com'))
    writeFileSync(join(home, 'credentials.json'), '{ broken')

    assert.throws(
      () => loadProfile(home, 'default'),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 1 &&
        error.message ===
          `${join(home, 'credentials.json')} is not valid JSON; fix or remove it.`,
    )
  })
})
