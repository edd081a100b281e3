// Tool output goes to the model and into the session's log, so it is
// bounded. Keeping the head and the tail keeps both a command's first lines
// and its final error, which is usually what matters.

export const outputLimit = 16 * 1024

export function truncateOutput(text: string, limit = outputLimit): string {
  if (text.length <= limit) return text

  const half = Math.floor(limit / 2)
  const dropped = text.length - 2 * half
  return `${text.slice(0, half)}\n[… ${dropped} characters truncated …]\n${text.slice(-half)}`
}

/** Collects a stream's text in bounded memory: the first and last
 * `limit / 2` characters and a count of what fell between. */
export class OutputCollector {
  readonly #half: number
  #head = ''
  #tail = ''
  #dropped = 0

  constructor(limit = outputLimit) {
    this.#half = Math.floor(limit / 2)
  }

  add(text: string): void {
    const room = this.#half - this.#head.length
    if (room > 0) {
      this.#head += text.slice(0, room)
      text = text.slice(room)
    }
    if (!text) return

    const tail = this.#tail + text
    const overflow = Math.max(0, tail.length - this.#half)
    this.#dropped += overflow
    this.#tail = tail.slice(overflow)
  }

  text(): string {
    if (this.#dropped === 0) return this.#head + this.#tail
    return `${this.#head}\n[… ${this.#dropped} characters truncated …]\n${this.#tail}`
  }
}
