// The Omnigent actions as MCP tools. Each tool acts as the authenticated
// caller through the session service, so the access policy decides exactly
// as it does for the HTTP API; a refusal comes back as a tool error naming
// the same code and message. Arguments are strict objects: an unknown field
// is refused, as on every mutating HTTP route.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { isOmniError } from '../core/errors.ts'
import { maxTitleLength } from '../protocol/api.ts'
import { waitForTurnEnd, type TurnWaitContext } from './turn-wait.ts'

/** The caller, and what the tools need to act and to wait as them. */
export type McpToolContext = TurnWaitContext

const maxWaitSeconds = 300

export function registerMcpTools(server: McpServer, context: McpToolContext) {
  const { actor, sessions } = context

  server.registerTool(
    'list_sessions',
    {
      description:
        'List sessions: your own (mine), those shared with you (shared), or both (all).',
      inputSchema: z.strictObject({
        scope: z.enum(['mine', 'shared', 'all']).optional(),
      }),
    },
    ({ scope }) => answer(() => sessions.list(actor, scope ?? 'mine')),
  )

  server.registerTool(
    'get_session',
    {
      description: 'A session: title, owner, collaborators and its transcript.',
      inputSchema: z.strictObject({
        session_id: z.string().min(1),
        after_seq: z.number().int().min(0).optional(),
      }),
    },
    ({ session_id, after_seq }) =>
      answer(async () => ({
        session: await sessions.detail(actor, session_id),
        events: await sessions.events(actor, session_id, after_seq ?? 0),
      })),
  )

  server.registerTool(
    'send_message',
    {
      description:
        'Send a message to the agent of a session (needs Edit). With wait_seconds, waits for the turn to end and returns the agent’s answer.',
      inputSchema: z.strictObject({
        session_id: z.string().min(1),
        text: z.string().min(1).max(100_000),
        wait_seconds: z.number().int().min(0).max(maxWaitSeconds).optional(),
      }),
    },
    ({ session_id, text, wait_seconds }) =>
      answer(async () => {
        const accepted = await sessions.send(actor, session_id, text)
        if (!wait_seconds) return accepted
        const ended = await waitForTurnEnd(context, {
          sessionId: session_id,
          turnId: accepted.turnId,
          afterSeq: accepted.seq,
          timeoutMs: wait_seconds * 1000,
        })
        return { ...accepted, ...ended }
      }),
  )

  server.registerTool(
    'rename_session',
    {
      description: 'Rename a session (needs Edit).',
      inputSchema: z.strictObject({
        session_id: z.string().min(1),
        title: z.string().trim().min(1).max(maxTitleLength),
      }),
    },
    ({ session_id, title }) =>
      answer(async () => {
        await sessions.rename(actor, session_id, title)
        return { renamed: true }
      }),
  )

  server.registerTool(
    'share_session',
    {
      description:
        'Share a session by workspace email with read or edit (owner only). Grant Edit carefully: an editor can run commands and change files on your host through the agent, and can view your other session chats.',
      inputSchema: z.strictObject({
        session_id: z.string().min(1),
        email: z.string().min(1),
        level: z.enum(['read', 'edit']),
      }),
    },
    ({ session_id, email, level }) =>
      answer(() => sessions.share(actor, session_id, email, level)),
  )

  server.registerTool(
    'unshare_session',
    {
      description: 'Revoke a person’s access to a session (owner only).',
      inputSchema: z.strictObject({
        session_id: z.string().min(1),
        email: z.string().min(1),
      }),
    },
    ({ session_id, email }) =>
      answer(async () => {
        await sessions.unshare(actor, session_id, email)
        return { revoked: true }
      }),
  )
}

async function answer(run: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const result = await run()
    return {
      content: [{ type: 'text', text: JSON.stringify(result, null, 2) }],
    }
  } catch (error) {
    if (!isOmniError(error)) throw error
    const body = { error: { code: error.code, message: error.message } }
    return {
      isError: true,
      content: [{ type: 'text', text: JSON.stringify(body) }],
    }
  }
}
