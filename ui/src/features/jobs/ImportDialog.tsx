import { InboxOutlined } from "@ant-design/icons";
import { Alert, Button, Modal, Typography, Upload } from "antd";
import type { UploadFile } from "antd";
import { useState } from "react";
import { useSignedIn } from "../session/queries";
import { ProblemAlert } from "../../components/ProblemAlert";
import { csvFileProblem, formatLimit, refusalLines } from "./format";
import { ImportProgress } from "./ImportProgress";
import { jobMessages as t } from "./messages";
import { CSV_MAX_BYTES, useQueueImport } from "./queries";

const LIMIT = formatLimit(CSV_MAX_BYTES);

/** 「一括登録」: choose or drop one CSV, upload it, then follow the job to its result. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { facility } = useSignedIn();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const upload = useQueueImport(facility);

  const choose = (chosen: File) => {
    upload.reset();
    const problem = csvFileProblem(chosen.name, chosen.size, CSV_MAX_BYTES);
    setFileError(problem);
    setFile(problem ? null : chosen);
    return false; // uploaded on 「登録」, not on choice
  };
  const submit = () => {
    if (!file) {
      setFileError(t.noFile);
      return;
    }
    upload.mutate(file, { onSuccess: (job) => setJobId(job.job_id) });
  };
  const footer = jobId
    ? [
        <Button key="close" onClick={onClose}>
          {t.close}
        </Button>,
      ]
    : [
        <Button key="cancel" onClick={onClose}>
          {t.cancel}
        </Button>,
        <Button key="submit" type="primary" onClick={submit} loading={upload.isPending}>
          {t.submit}
        </Button>,
      ];

  return (
    <Modal
      open={open}
      title={t.importTitle}
      onCancel={onClose}
      footer={footer}
      width={640}
      destroyOnHidden
    >
      {jobId ? (
        <ImportProgress code={facility} jobId={jobId} />
      ) : (
        <>
          <ProblemAlert error={upload.error} extra={refusalLines(upload.error)} />
          <CsvDropZone file={file} onChoose={choose} onRemove={() => setFile(null)} />
          {fileError && (
            <Alert type="error" showIcon role="alert" title={fileError} style={{ marginTop: 12 }} />
          )}
        </>
      )}
    </Modal>
  );
}

function CsvDropZone({
  file,
  onChoose,
  onRemove,
}: {
  file: File | null;
  onChoose: (file: File) => boolean;
  onRemove: () => void;
}) {
  const listed: UploadFile[] = file
    ? [{ uid: "chosen", name: file.name, size: file.size, status: "done" }]
    : [];
  return (
    <Upload.Dragger
      accept=".csv,text/csv"
      multiple={false}
      maxCount={1}
      fileList={listed}
      beforeUpload={onChoose}
      onRemove={onRemove}
    >
      <p className="ant-upload-drag-icon">
        <InboxOutlined aria-hidden />
      </p>
      <p className="ant-upload-text">{t.dropText}</p>
      {/* The hints in the body's colour: antd's hint grey is below AA contrast. */}
      <Typography.Paragraph>
        {t.encodings}
        <br />
        {t.format}
        <br />
        {t.sizeLimit(LIMIT)}
      </Typography.Paragraph>
    </Upload.Dragger>
  );
}
