import { Alert } from "antd";
import { ApiError } from "../api/client";

/** The page-level part of a problem: its Japanese title, and what no field shows. */
export function ProblemAlert({ error, extra = [] }: { error: unknown; extra?: string[] }) {
  if (!error) return null;
  const title =
    error instanceof ApiError ? error.problem.title : "予期しないエラーが発生しました。";
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title}
      description={
        extra.length ? (
          <ul className="problem-list">
            {extra.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : undefined
      }
      style={{ marginBottom: 16 }}
    />
  );
}
