import type { ChatTurn } from '../protocol/host-tunnel.ts'
import type { ModelMessage } from './model-client.ts'

export function systemPrompt(dir: string): string {
  return [
    `You are a coding agent working in the directory ${dir} on the machine of the person who owns this session.`,
    'Use the tools to read, search, write and edit files and to run commands; relative paths resolve against that directory.',
    'Several people may work in one session together. Each of their messages begins with the email of its author.',
    'Inspect before you change things, check your work by running it, and answer briefly once the task is done.',
  ].join('\n')
}

/** A person's message as the model sees it: who wrote it, then the text. */
export function userText(message: { text: string; author: string }): string {
  return `Message from ${message.author}:\n\n${message.text}`
}

export function conversation(
  dir: string,
  history: ChatTurn[],
  message: { text: string; author: string },
): ModelMessage[] {
  const prior = history.map((turn): ModelMessage =>
    turn.role === 'user'
      ? { role: 'user', text: userText(turn) }
      : { role: 'assistant', text: turn.text, toolCalls: [] },
  )
  return [
    { role: 'system', text: systemPrompt(dir) },
    ...prior,
    { role: 'user', text: userText(message) },
  ]
}
