// Runs a shell command in the session's directory. The command gets its own
// process group, so a timeout or an interrupt kills everything it started,
// not only the shell.

import { spawn } from 'node:child_process'

import { OutputCollector } from './output-limit.ts'
import type { Tool, ToolContext, ToolOutput } from './tool.ts'
import { optionalNumberArg, stringArg } from './tool.ts'

export const defaultTimeoutSeconds = 120
const maxTimeoutSeconds = 3600

/** Closing the pipes waits for every process holding them; a background
 * child that escaped the group must not hold the turn open forever. */
const pipeGraceMs = 500

export const runCommandTool: Tool = {
  name: 'run_command',
  description:
    'Run a bash command in the working directory and return its combined ' +
    'stdout and stderr and its exit code.',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'string', description: 'The bash command to run.' },
      timeout_seconds: {
        type: 'number',
        description: `Kill the command after this many seconds (default ${defaultTimeoutSeconds}).`,
      },
    },
    required: ['command'],
    additionalProperties: false,
  },

  async run(args, context) {
    const command = stringArg(args, 'command')
    const seconds = Math.min(
      optionalNumberArg(args, 'timeout_seconds') ?? defaultTimeoutSeconds,
      maxTimeoutSeconds,
    )
    return runCommand(command, seconds * 1000, context)
  },
}

function runCommand(
  command: string,
  timeoutMs: number,
  { dir, signal, commands }: ToolContext,
): Promise<ToolOutput> {
  return new Promise((resolve) => {
    const output = new OutputCollector()
    let stopped: 'timeout' | 'interrupted' | null = null

    // Not a login shell: a person's profile scripts (version managers that
    // rehash, banners, prompts) can stall or pollute every command, and the
    // host already hands its own environment down.
    const child = spawn('bash', ['-c', command], {
      cwd: dir,
      env: commandEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const pid = child.pid
    if (pid !== undefined) commands?.started(pid)
    child.stdout.setEncoding('utf8').on('data', (text) => output.add(text))
    child.stderr.setEncoding('utf8').on('data', (text) => output.add(text))

    const stop = (why: 'timeout' | 'interrupted') => {
      stopped ??= why
      killGroup(child.pid)
    }
    const timer = setTimeout(() => stop('timeout'), timeoutMs)
    const onAbort = () => stop('interrupted')
    signal.addEventListener('abort', onAbort, { once: true })
    if (signal.aborted) onAbort()

    child.on('exit', () => {
      setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
      }, pipeGraceMs).unref()
    })

    child.on('error', (error) => {
      finish()
      resolve({
        output: `Could not start bash: ${error.message}`,
        isError: true,
      })
    })

    child.on('close', (code, killedBy) => {
      finish()
      resolve(describeEnd(output.text(), code, killedBy, stopped, timeoutMs))
    })

    function finish() {
      if (pid !== undefined) commands?.ended(pid)
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  })
}

function describeEnd(
  text: string,
  code: number | null,
  killedBy: NodeJS.Signals | null,
  stopped: 'timeout' | 'interrupted' | null,
  timeoutMs: number,
): ToolOutput {
  const body = text.endsWith('\n') || !text ? text : `${text}\n`

  if (stopped === 'timeout') {
    const note = `[killed after the ${timeoutMs / 1000} s timeout]`
    return { output: body + note, isError: true }
  }
  if (stopped === 'interrupted') {
    return {
      output: `${body}[killed: the turn was interrupted]`,
      isError: true,
    }
  }
  if (code === null) {
    return { output: `${body}[killed by ${killedBy}]`, isError: true }
  }
  return { output: `${body}[exit code ${code}]`, isError: code !== 0 }
}

/** A negative pid signals the whole process group (kill(2)). */
function killGroup(pid: number | undefined) {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
}

/** Omnigent's own settings stay with the host: a command the agent runs,
 * and so every session viewer, must not be able to print the model key or
 * learn where the owner's credentials are (OMNI_HOME). */
function commandEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name.startsWith('OMNI_')) delete env[name]
  }
  return env
}
