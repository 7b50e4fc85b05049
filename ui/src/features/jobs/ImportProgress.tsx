import { DownloadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Progress, Space, Typography } from "antd";
import { useEffect } from "react";
import { useNavigate } from "react-router";
import { download } from "../../api/client";
import { Loading } from "../../components/PageStates";
import { ProblemAlert } from "../../components/ProblemAlert";
import { isActive, problemTitle, progressPercent } from "./format";
import { userKeys } from "../users/queries";
import { jobMessages as t } from "./messages";
import { jobsKey, type UserJob, useUserJob } from "./queries";

/** The path of a user CSV job's file (the export, or an import's result CSV). */
export function userJobFilePath(code: string, jobId: string): string {
  const facility = encodeURIComponent(code);
  return `/api/v1/facilities/${facility}/jobs/users/${encodeURIComponent(jobId)}/file`;
}

/** An import after upload: rows done of all, the counts, and at the end its result CSV. */
export function ImportProgress({ code, jobId }: { code: string; jobId: string }) {
  const job = useUserJob(code, jobId);
  const client = useQueryClient();
  const status = job.data?.status;
  // Users made or changed by the import appear in the list, its result in 出力一覧.
  useEffect(() => {
    if (status === "done" || status === "failed") {
      void client.invalidateQueries({ queryKey: userKeys.lists(code) });
      void client.invalidateQueries({ queryKey: jobsKey(code) });
    }
  }, [client, code, status]);

  if (!job.data) {
    return job.isError ? <ProblemAlert error={job.error} /> : <Loading />;
  }
  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <JobCounts job={job.data} />
      {job.isError && <ProblemAlert error={job.error} extra={[t.readFailed]} />}
      <JobOutcome code={code} job={job.data} />
    </Space>
  );
}

function JobCounts({ job }: { job: UserJob }) {
  const percent = progressPercent(job.done_rows, job.total_rows);
  const finished = job.status === "done";
  return (
    <div>
      <Typography.Text strong>{job.status_label}</Typography.Text>
      <Progress
        aria-label={t.progress}
        percent={finished ? 100 : (percent ?? 0)}
        status={job.status === "failed" ? "exception" : isActive(job.status) ? "active" : "success"}
      />
      <div>
        <Typography.Text aria-live="polite">
          {t.processed(job.done_rows, job.total_rows)}
        </Typography.Text>
      </div>
      <Space size="large" wrap style={{ marginTop: 12 }}>
        <Count label={t.counts.created} value={job.created_rows} />
        <Count label={t.counts.updated} value={job.updated_rows} />
        <Count label={t.counts.unchanged} value={job.unchanged_rows} />
        <Count label={t.counts.failed} value={job.failed_rows} />
      </Space>
    </div>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <span>
      {label}: <Typography.Text strong>{value.toLocaleString("ja-JP")}</Typography.Text>
    </span>
  );
}

function JobOutcome({ code, job }: { code: string; job: UserJob }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  if (isActive(job.status)) {
    return <Alert type="info" showIcon title={t.keepsRunning} />;
  }
  if (job.status === "failed") {
    return (
      <Alert
        type="error"
        showIcon
        role="alert"
        title={t.importFailed}
        description={job.error_message}
      />
    );
  }
  const save = () =>
    download(userJobFilePath(code, job.job_id), t.resultFileName).catch((error: unknown) =>
      message.error(problemTitle(error, t.downloadFailed)),
    );
  return (
    <Space orientation="vertical" size="small">
      <Alert
        type={job.failed_rows > 0 ? "warning" : "success"}
        showIcon
        role="status"
        title={job.failed_rows > 0 ? t.importDoneWithErrors : t.importDone}
        description={job.created_rows > 0 ? t.resultHoldsSecrets : undefined}
      />
      <Space wrap>
        <Button
          type="primary"
          icon={<DownloadOutlined aria-hidden />}
          onClick={save}
          disabled={!job.downloadable}
        >
          {t.downloadResult}
        </Button>
        <Button color="primary" variant="link" onClick={() => navigate("/jobs")}>
          {t.toJobs}
        </Button>
      </Space>
    </Space>
  );
}
