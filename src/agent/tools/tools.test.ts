import assert from 'node:assert/strict'
import {
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'

import { findTool, tools } from './index.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-tools-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function run(
  name: string,
  args: Record<string, unknown>,
  privateDirs?: string[],
) {
  const tool = findTool(name)
  assert.ok(tool, `no tool ${name}`)
  const signal = new AbortController().signal
  return tool.run(args, { dir, signal, privateDirs })
}

describe('tools', () => {
  it('each declares an object schema naming its required arguments', () => {
    for (const tool of tools) {
      const {
        type,
        properties,
        required = [],
      } = tool.parameters as {
        type: string
        properties: Record<string, unknown>
        required?: string[]
      }
      assert.equal(type, 'object', tool.name)
      for (const name of required) assert.ok(name in properties, tool.name)
      assert.ok(tool.description.length > 20, tool.name)
    }
  })

  it('read_file reads relative and absolute paths and describes binary files', async () => {
    await writeFile(join(dir, 'a.txt'), 'alpha\n')
    await writeFile(join(dir, 'b.bin'), Buffer.from([1, 0, 2]))

    assert.deepEqual(await run('read_file', { path: 'a.txt' }), {
      output: 'alpha\n',
      isError: false,
    })
    assert.deepEqual(await run('read_file', { path: join(dir, 'a.txt') }), {
      output: 'alpha\n',
      isError: false,
    })
    assert.deepEqual(await run('read_file', { path: 'b.bin' }), {
      output: `${join(dir, 'b.bin')} is a binary file (3 bytes).`,
      isError: false,
    })
    await assert.rejects(run('read_file', { path: '.' }), {
      name: 'ToolError',
      message: `${dir} is a directory; use list_files.`,
    })
    await assert.rejects(run('read_file', {}), {
      name: 'ToolError',
      message: 'The argument "path" must be a string.',
    })
  })

  it('write_file creates missing parent directories', async () => {
    const result = await run('write_file', {
      path: 'x/y/z.txt',
      content: 'zed',
    })

    assert.deepEqual(result, {
      output: `Wrote 3 bytes to ${join(dir, 'x/y/z.txt')}.`,
      isError: false,
    })
    assert.equal(await readFile(join(dir, 'x/y/z.txt'), 'utf8'), 'zed')
  })

  it('edit_file replaces a snippet that occurs once and refuses an ambiguous one', async () => {
    await writeFile(join(dir, 'c.ts'), 'let a = 1\nlet b = 1\n')

    assert.deepEqual(
      await run('edit_file', {
        path: 'c.ts',
        old_text: 'a = 1',
        new_text: 'a = $&2',
      }),
      {
        output: `Edited ${join(dir, 'c.ts')}.`,
        isError: false,
      },
    )
    assert.equal(
      await readFile(join(dir, 'c.ts'), 'utf8'),
      'let a = $&2\nlet b = 1\n',
    )
    await assert.rejects(
      run('edit_file', { path: 'c.ts', old_text: '= ', new_text: '=' }),
      {
        name: 'ToolError',
        message: `old_text occurs 2 times in ${join(dir, 'c.ts')}; it must occur exactly once.`,
      },
    )
  })

  it('list_files lists a directory with folders marked', async () => {
    await mkdir(join(dir, 'src'))
    await writeFile(join(dir, 'README.md'), '')

    assert.deepEqual(await run('list_files', {}), {
      output: 'README.md\nsrc/',
      isError: false,
    })
    assert.deepEqual(await run('list_files', { path: 'src' }), {
      output: `${join(dir, 'src')} is empty.`,
      isError: false,
    })
  })

  it('search_files finds lines under the directory and skips node_modules', async () => {
    await mkdir(join(dir, 'src'))
    await mkdir(join(dir, 'node_modules'))
    await writeFile(join(dir, 'src/a.ts'), 'one\nconst needle = 1\n')
    await writeFile(join(dir, 'node_modules/b.js'), 'needle\n')

    assert.deepEqual(await run('search_files', { query: 'needle' }), {
      output: 'src/a.ts:2: const needle = 1',
      isError: false,
    })
    assert.deepEqual(await run('search_files', { query: 'haystack' }), {
      output: 'No match for "haystack".',
      isError: false,
    })
  })

  it('run_command kills a command that outlives its timeout', async () => {
    const started = Date.now()
    const result = await run('run_command', {
      command: 'echo start; sleep 20',
      timeout_seconds: 0.3,
    })

    assert.deepEqual(result, {
      output: 'start\n[killed after the 0.3 s timeout]',
      isError: true,
    })
    assert.ok(Date.now() - started < 3000)
  })

  it('run_command does not pass the host model key to commands', async () => {
    process.env.OMNI_MODEL_API_KEY = 'sk-must-not-leak'
    try {
      const result = await run('run_command', {
        command: 'echo "key=${OMNI_MODEL_API_KEY:-none}"',
      })
      assert.deepEqual(result, {
        output: 'key=none\n[exit code 0]',
        isError: false,
      })
    } finally {
      delete process.env.OMNI_MODEL_API_KEY
    }
  })
})

// Regression: an editor asked the agent to print the owner's
// credentials.json from the Omnigent home and took the refresh token.
describe("the Omnigent home is out of the tools' reach", () => {
  const refused = {
    name: 'ToolError',
    message: "Omnigent's own credentials are not available to the agent.",
  }
  let home: string

  beforeEach(async () => {
    home = join(dir, 'omni-home')
    await mkdir(home)
    await writeFile(join(home, 'credentials.json'), '{"refreshToken":"rt-1"}')
  })

  it('read_file, write_file and edit_file refuse paths inside it', async () => {
    const inside = join(home, 'credentials.json')

    await assert.rejects(run('read_file', { path: inside }, [home]), refused)
    await assert.rejects(
      run('read_file', { path: 'omni-home/../omni-home/credentials.json' }, [
        home,
      ]),
      refused,
    )
    await assert.rejects(
      run('write_file', { path: join(home, 'new.json'), content: 'x' }, [home]),
      refused,
    )
    await assert.rejects(
      run('edit_file', { path: inside, old_text: 'rt-1', new_text: 'rt-2' }, [
        home,
      ]),
      refused,
    )
    assert.equal(await readFile(inside, 'utf8'), '{"refreshToken":"rt-1"}')
  })

  it('refuses it through a symlink, to the folder or to the file', async () => {
    await symlink(home, join(dir, 'innocent'))
    await symlink(join(home, 'credentials.json'), join(dir, 'notes.txt'))

    await assert.rejects(
      run('read_file', { path: 'innocent/credentials.json' }, [home]),
      refused,
    )
    await assert.rejects(
      run('read_file', { path: 'notes.txt' }, [home]),
      refused,
    )
    await assert.rejects(
      run('list_files', { path: 'innocent' }, [home]),
      refused,
    )
  })

  it('list_files and search_files neither open it nor walk into it', async () => {
    await writeFile(join(dir, 'a.txt'), 'refreshToken here too\n')

    await assert.rejects(run('list_files', { path: home }, [home]), refused)
    await assert.rejects(
      run('search_files', { query: 'rt-1', path: home }, [home]),
      refused,
    )
    assert.deepEqual(
      await run('search_files', { query: 'refreshToken' }, [home]),
      { output: 'a.txt:1: refreshToken here too', isError: false },
    )
  })

  it('defaults to OMNI_HOME when the host names no folder', async () => {
    const before = process.env.OMNI_HOME
    process.env.OMNI_HOME = home
    try {
      await assert.rejects(
        run('read_file', { path: join(home, 'credentials.json') }),
        refused,
      )
    } finally {
      if (before === undefined) delete process.env.OMNI_HOME
      else process.env.OMNI_HOME = before
    }
  })

  it('run_command gets no OMNI_ variable at all', async () => {
    process.env.OMNI_HOME = home
    process.env.OMNI_PROFILE = 'work'
    try {
      const result = await run('run_command', {
        command: 'env | grep -c "^OMNI_" || true',
      })
      assert.deepEqual(result, { output: '0\n[exit code 0]', isError: false })
    } finally {
      delete process.env.OMNI_HOME
      delete process.env.OMNI_PROFILE
    }
  })
})
