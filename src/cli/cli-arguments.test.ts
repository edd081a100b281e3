import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runCli, type CliResult } from './cli-run.test-support.ts'

const env = () => ({ OMNI_HOME: mkdtempSync(join(tmpdir(), 'omni-args-')) })

function assertOneLineError(result: CliResult, code: number, message: RegExp) {
  assert.equal(result.code, code, result.stderr)
  assert.equal(result.stdout, '')
  const lines = result.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, result.stderr)
  assert.match(lines[0] ?? '', message)
  assert.doesNotMatch(result.stderr, /\n\s+at /)
}

describe('omni argument errors', () => {
  it('refuses share with both --read and --edit (exit 2)', async () => {
    const result = await runCli(
      ['share', 'S', 'e@x.io', '--read', '--edit'],
      env(),
    )
    assertOneLineError(
      result,
      2,
      /^omni: option '--read' cannot be used with option '--edit'$/,
    )
  })

  it('refuses share with neither --read nor --edit (exit 2)', async () => {
    const result = await runCli(['share', 'S', 'e@x.io'], env())
    assertOneLineError(
      result,
      2,
      /^omni: Say which access to give: --read or --edit\.$/,
    )
  })

  it('refuses new without --host (exit 2)', async () => {
    const result = await runCli(['new'], env())
    assertOneLineError(
      result,
      2,
      /^omni: required option '--host <name>' not specified$/,
    )
  })

  it('refuses a password given as an argument', async () => {
    const result = await runCli(
      ['users', 'add', 'x@y.io', '--password', 'p'],
      env(),
    )
    assertOneLineError(result, 2, /^omni: unknown option '--password'$/)
  })

  it('never echoes the value of an unknown --option=value', async () => {
    const result = await runCli(
      ['users', 'add', 'x@y.io', '--password=hunter2'],
      env(),
    )
    assertOneLineError(result, 2, /^omni: unknown option '--password=…'$/)
    assert.doesNotMatch(result.stderr, /hunter2/)
  })

  it('refuses a workspace URL over plain http to another machine', async () => {
    const result = await runCli(['login', 'http://omni.example.com'], env())
    assertOneLineError(
      result,
      2,
      /^omni: Plain http is allowed only for this machine; use https:\/\/omni\.example\.com\.$/,
    )
  })

  it('asks to sign in first when there is no profile (exit 3)', async () => {
    const result = await runCli(['sessions'], env())
    assertOneLineError(
      result,
      3,
      /^omni: Not signed in \(no profile "default"\)\. Run: omni login <workspace-url>$/,
    )
  })

  it('refuses sessions with both --shared and --all (exit 2)', async () => {
    const result = await runCli(['sessions', '--shared', '--all'], env())
    assertOneLineError(result, 2, /cannot be used with option '--all'/)
  })

  it('refuses an extra argument (exit 2)', async () => {
    const result = await runCli(['hosts', 'extra'], env())
    assertOneLineError(result, 2, /^omni: too many arguments for 'hosts'/)
  })

  it('refuses a port that is not a number (exit 2)', async () => {
    const result = await runCli(['server', '--port', 'abc'], env())
    assertOneLineError(
      result,
      2,
      /^omni: --port must be a number from 1 to 65535, not "abc"\.$/,
    )
  })

  it('refuses an empty --data-dir instead of using the current folder (exit 2)', async () => {
    const result = await runCli(['server', '--data-dir', ''], env())
    assertOneLineError(result, 2, /^omni: --data-dir must name a folder\.$/)
  })

  it('names a --data-dir that is a file, in words (exit 1)', async () => {
    const result = await runCli(
      ['server', '--port', '1', '--data-dir', '/etc/passwd'],
      env(),
    )
    assertOneLineError(
      result,
      1,
      /^omni: Cannot use \/etc\/passwd for the server's data: it is not a folder\.$/,
    )
  })

  it('refuses --expires that is not a whole number of days (exit 2)', async () => {
    const result = await runCli(
      ['tokens', 'create', '--expires', 'soon'],
      env(),
    )
    assertOneLineError(
      result,
      2,
      /^omni: --expires takes a whole number of days, not "soon"\.$/,
    )
  })

  it('refuses a token given as an argument, without echoing it', async () => {
    const result = await runCli(
      ['login', 'http://127.0.0.1:9', '--token=omni_pat_secret123'],
      env(),
    )
    assertOneLineError(result, 2, /^omni: unknown option '--token=…'$/)
    assert.doesNotMatch(result.stderr, /secret123/)
  })

  it('refuses --device with --token-stdin (exit 2)', async () => {
    const result = await runCli(
      ['login', 'http://127.0.0.1:9', '--device', '--token-stdin'],
      env(),
    )
    assertOneLineError(
      result,
      2,
      /^omni: Use either --device or --token-stdin, not both\.$/,
    )
  })
})
