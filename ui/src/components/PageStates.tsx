import { Alert, Button, Spin } from "antd";
import { ApiError } from "../api/client";

const text = {
  loading: "読み込み中…",
  retry: "再読み込み",
  failed: "データを読み込めませんでした。",
  network: "サーバーに接続できません。ネットワークの状態を確認してください。",
};

/** A whole area waiting for its data. */
export function Loading({ label = text.loading }: { label?: string }) {
  return (
    <div className="page-state" role="status" aria-live="polite">
      <Spin />
      <span>{label}</span>
    </div>
  );
}

/** A whole area whose data could not be read: what happened and a way to try again. */
export function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const problem = error instanceof ApiError ? error.problem : null;
  const title = problem?.code === "network" ? text.network : (problem?.title ?? text.failed);
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      title={text.failed}
      description={title}
      action={
        <Button type="primary" onClick={onRetry}>
          {text.retry}
        </Button>
      }
      className="load-failed"
    />
  );
}
