// A failed call of either API (admin or user), as every screen reads it: the server's
// problem+json, or a stand-in with a Japanese title when there was none to read.
import type { components } from "./admin";

export type Problem = components["schemas"]["Problem"];

/** A failed call: the server's problem, or a stand-in when the server could not be reached. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.title);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export const NETWORK: Problem = {
  type: "about:blank",
  status: 0,
  code: "network",
  title: "サーバーに接続できません。ネットワークの状態を確認して、もう一度お試しください。",
  errors: [],
};

const UNAVAILABLE: Problem = {
  type: "about:blank",
  status: 503,
  code: "unavailable",
  title: "サービスが一時的に利用できません。しばらくしてからもう一度お試しください。",
  errors: [],
};

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "code" in value && "title" in value;
}

/** The problem an answer of `status` carried in `body`; a stand-in when it is none (a
 * proxy's page, an empty body), and 「接続できません」 when nothing answered (status 0). */
export function problemOf(body: unknown, status: number): Problem {
  if (isProblem(body)) return { ...body, errors: body.errors ?? [] };
  return status === 0 ? NETWORK : { ...UNAVAILABLE, status };
}
