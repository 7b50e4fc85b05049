// 出力一覧 (manual 3.3 (2), SPEC U6): exports and import results of users and logs together,
// a ステータス filter, 「更新」, and ダウンロード while a file is kept.
import { ReloadOutlined } from "@ant-design/icons";
import { Button, Card, Form, Select, Space, Typography } from "antd";
import { useState } from "react";
import { LoadFailed, Loading } from "../../components/PageStates";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useSignedIn } from "../session/queries";
import { isActive } from "./format";
import { JobTable } from "./JobTable";
import { jobMessages as t } from "./messages";
import { type JobStatus, useOutputJobs } from "./queries";

const ALL = "all";
type Choice = JobStatus | typeof ALL;
const CHOICES: { value: Choice; label: string }[] = [
  { value: ALL, label: t.all },
  { value: "queued", label: t.statuses.queued },
  { value: "running", label: t.statuses.running },
  { value: "done", label: t.statuses.done },
  { value: "failed", label: t.statuses.failed },
];

export function JobsPage() {
  const { facility } = useSignedIn();
  const [choice, setChoice] = useState<Choice>(ALL);
  const jobs = useOutputJobs(facility, choice === ALL ? null : choice);
  const moving = jobs.data?.items.some((job) => isActive(job.status)) ?? false;

  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <Card title={t.search} size="small" style={{ marginBottom: 16 }}>
        <Form layout="inline" onFinish={() => void jobs.refetch()}>
          <Form.Item label={t.status} htmlFor="jobs-status">
            <Select
              id="jobs-status"
              value={choice}
              options={CHOICES}
              onChange={setChoice}
              style={{ minWidth: 140 }}
            />
          </Form.Item>
          <Form.Item>
            <Button
              htmlType="submit"
              icon={<ReloadOutlined aria-hidden />}
              loading={jobs.isFetching}
            >
              {t.refresh}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      <section aria-labelledby="jobs-history">
        <Space align="baseline" wrap>
          <Typography.Title level={2} id="jobs-history" style={{ fontSize: 16, margin: "8px 0" }}>
            {t.history}
          </Typography.Title>
          {moving && <Typography.Text>{t.autoRefresh}</Typography.Text>}
        </Space>
        <JobsBody facility={facility} jobs={jobs} />
      </section>
    </>
  );
}

function JobsBody({
  facility,
  jobs,
}: {
  facility: string;
  jobs: ReturnType<typeof useOutputJobs>;
}) {
  if (jobs.isPending) return <Loading />;
  if (!jobs.data) return <LoadFailed error={jobs.error} onRetry={() => void jobs.refetch()} />;
  return (
    <>
      {jobs.isError && <ProblemAlert error={jobs.error} />}
      <JobTable code={facility} items={jobs.data.items} />
    </>
  );
}
