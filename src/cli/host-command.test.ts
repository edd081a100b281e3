import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { runCli } from './cli-run.test-support.ts'

// Regression: a name the server cannot take as a header crashed the daemon
// with a JSON stack and exit 0.
describe('omni host --name', () => {
  const home = mkdtempSync(join(tmpdir(), 'omni-host-name-'))
  after(() => rmSync(home, { recursive: true, force: true }))

  for (const name of ['bad\nname', 'büro-🚀', 'two words', 'x'.repeat(101)]) {
    it(`refuses ${JSON.stringify(name.slice(0, 20))} before anything else (exit 2)`, async () => {
      const result = await runCli(['host', '--name', name], {
        OMNI_HOME: home,
      })

      assert.equal(result.code, 2)
      assert.equal(
        result.stderr,
        'omni: A host name is 1 to 100 printable ASCII characters without spaces, such as "laptop" or "build-box-2".\n',
      )
      assert.equal(result.stdout, '')
    })
  }
})
