import { CloseCircleFilled } from "@ant-design/icons";
import { App, Badge, Button, Progress, Table, Typography } from "antd";
import type { TableColumnsType } from "antd";
import { download } from "../../api/client";
import {
  formatDateTime,
  formatFileSize,
  isActive,
  problemTitle,
  progressPercent,
  remainingText,
} from "./format";
import { jobMessages as t } from "./messages";
import { type OutputJob, useUserJob } from "./queries";

const BADGE = {
  queued: "default",
  running: "processing",
  done: "success",
  failed: "error",
} as const;

/** ダウンロード履歴: the figure's columns, `-` where a value is not there yet. */
export function JobTable({ code, items }: { code: string; items: OutputJob[] }) {
  const { message } = App.useApp();
  const save = (job: OutputJob) => {
    if (!job.download_path) return;
    download(job.download_path, `${job.kind_label}.csv`).catch((error: unknown) =>
      message.error(problemTitle(error, t.downloadFailed)),
    );
  };
  const columns: TableColumnsType<OutputJob> = [
    { title: t.columns.createdAt, dataIndex: "created_at", render: formatDateTime },
    { title: t.columns.kind, dataIndex: "kind_label" },
    {
      title: t.columns.status,
      key: "status",
      render: (_, job) => <JobStatusCell code={code} job={job} />,
    },
    { title: t.columns.fileSize, dataIndex: "file_size", render: formatFileSize },
    { title: t.columns.finishedAt, dataIndex: "finished_at", render: formatDateTime },
    {
      title: t.columns.validity,
      key: "validity",
      render: (_, job) => remainingText(job.remaining_days, job.downloadable),
    },
    {
      title: t.columns.action,
      key: "action",
      render: (_, job) =>
        job.download_path ? (
          <Button color="primary" variant="link" size="small" onClick={() => save(job)}>
            {t.download}
          </Button>
        ) : null,
    },
  ];
  return (
    <Table<OutputJob>
      rowKey={(job) => `${job.source}:${job.job_id}`}
      columns={columns}
      dataSource={items}
      size="middle"
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: t.empty }}
    />
  );
}

/** ステータス: its label, a bar while an import or export runs, the reason when it failed. */
function JobStatusCell({ code, job }: { code: string; job: OutputJob }) {
  const badge = BADGE[job.status as keyof typeof BADGE] ?? "default";
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 4 }}>
      <Badge status={badge} text={job.status_label} />
      {job.status === "running" && job.source === "users" && (
        <RowProgress code={code} jobId={job.job_id} kind={job.kind_label} />
      )}
      {job.status === "failed" && job.error_message && (
        <Typography.Text>
          <CloseCircleFilled style={{ color: "#cf1322" }} aria-hidden /> {job.error_message}
        </Typography.Text>
      )}
    </div>
  );
}

/** A running user job's rows done of all (the list itself carries no counts). */
function RowProgress({ code, jobId, kind }: { code: string; jobId: string; kind: string }) {
  const job = useUserJob(code, jobId, 2_000);
  const percent = job.data ? progressPercent(job.data.done_rows, job.data.total_rows) : null;
  if (percent === null || !job.data || !isActive(job.data.status)) return null;
  return (
    <Progress aria-label={t.rowProgress(kind)} percent={percent} size="small" status="active" />
  );
}
