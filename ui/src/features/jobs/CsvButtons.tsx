// The user list's CSV tools (manual 3.3): 「全件CSV出力」 queues an export job, 「一括登録」
// uploads a file and follows its job. Both results are listed in 出力一覧.
import { CheckCircleFilled, DownloadOutlined, UploadOutlined } from "@ant-design/icons";
import { App, Button } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useSignedIn } from "../session/queries";
import { problemTitle } from "./format";
import { ImportDialog } from "./ImportDialog";
import { jobMessages as t } from "./messages";
import { useQueueExport } from "./queries";

/** 「全件CSV出力」: every user whatever the search, after saying so; then a way to 出力一覧. */
export function ExportAllButton() {
  const { facility } = useSignedIn();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const queue = useQueueExport(facility);

  const queued = () =>
    modal.confirm({
      title: t.exportQueued,
      content: t.exportQueuedBody,
      icon: <CheckCircleFilled style={{ color: "#389e0d" }} aria-hidden />,
      okText: t.toJobs,
      cancelText: t.close,
      onOk: () => navigate("/jobs"),
    });
  const start = () =>
    modal.confirm({
      title: t.exportAll,
      content: t.exportConfirm,
      okText: t.ok,
      cancelText: t.cancel,
      onOk: async () => {
        try {
          await queue.mutateAsync();
        } catch (error) {
          message.error(problemTitle(error, t.exportFailed));
          return;
        }
        queued();
      },
    });

  return (
    <Button icon={<DownloadOutlined aria-hidden />} onClick={start} loading={queue.isPending}>
      {t.exportAll}
    </Button>
  );
}

/** 「一括登録」: opens a fresh dialog each time (no file or job of the last one kept). */
export function ImportButton() {
  const [open, setOpen] = useState(false);
  const [round, setRound] = useState(0);
  return (
    <>
      <Button
        icon={<UploadOutlined aria-hidden />}
        onClick={() => {
          setRound((n) => n + 1);
          setOpen(true);
        }}
      >
        {t.importTitle}
      </Button>
      <ImportDialog key={round} open={open} onClose={() => setOpen(false)} />
    </>
  );
}
