import { DeleteOutlined, InboxOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Progress, Upload } from "antd";
import { useState } from "react";
import { ProblemAlert } from "../components/ProblemAlert";
import { problemTitle, unplacedMessages } from "../components/problems";
import { shareMessages } from "./messages";
import { sharesKey } from "./queries";
import { useSecondPasswordGuard } from "./SecondPassword";
import { MAX_PURPOSE, formatSize, refusals, sendUpload } from "./upload";

const t = shareMessages.upload;

/** 「アップロード」: files by drag & drop or choice, 共有目的, a progress bar (F1). */
export function UploadCard() {
  const [files, setFiles] = useState<File[]>([]);
  const [purpose, setPurpose] = useState("");
  const [progress, setProgress] = useState<number | null>(null);
  const [refused, setRefused] = useState<string[]>([]);
  const guard = useSecondPasswordGuard();
  const client = useQueryClient();
  const { message } = App.useApp();
  const upload = useMutation({
    mutationFn: () =>
      guard(() => {
        setProgress(0);
        return sendUpload(files, purpose, setProgress);
      }),
    onSuccess: () => {
      setFiles([]);
      setPurpose("");
      void client.invalidateQueries({ queryKey: sharesKey });
      void message.success(t.done);
    },
    onSettled: () => setProgress(null),
  });
  const submit = () => {
    const reasons = refusals(files, purpose);
    setRefused(reasons);
    if (reasons.length === 0) upload.mutate();
  };
  const total = files.reduce((sum, f) => sum + f.size, 0);
  return (
    <Card title={<h2 className="share-card-title">{t.title}</h2>}>
      <ul className="muted">
        {t.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
      <Form layout="vertical" onFinish={submit}>
        <Form.Item label={t.files}>
          <Upload.Dragger
            multiple
            showUploadList={false}
            disabled={upload.isPending}
            beforeUpload={(file) => {
              setFiles((current) => [...current, file]);
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined aria-hidden />
            </p>
            <p>{t.drop}</p>
          </Upload.Dragger>
        </Form.Item>
        <SelectedFiles files={files} onRemove={(i) => setFiles(files.filter((_, j) => j !== i))} />
        {files.length > 0 && <p className="muted">{t.total(formatSize(total))}</p>}
        <Form.Item label={t.purpose} htmlFor="share-purpose" required>
          <Input.TextArea
            id="share-purpose"
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            showCount
            count={{ max: MAX_PURPOSE, strategy: (text) => [...text].length }}
            rows={3}
            disabled={upload.isPending}
          />
        </Form.Item>
        {refused.length > 0 && (
          <Alert
            type="error"
            showIcon
            title={refused.join(" ")}
            style={{ marginBottom: 12 }}
            role="alert"
          />
        )}
        <ProblemAlert error={upload.error} extra={details(upload.error)} />
        {progress !== null && (
          <Progress percent={Math.floor(progress * 100)} aria-label={t.progress} />
        )}
        <Button type="primary" htmlType="submit" loading={upload.isPending}>
          {t.submit}
        </Button>
      </Form>
    </Card>
  );
}

/** The problem's field messages (e.g. each file the server could not scan, and why) under
 * its title: this card has no per-file field to put them beside. */
function details(error: unknown): string[] {
  return unplacedMessages(error, () => null).filter((m) => m !== problemTitle(error));
}

function SelectedFiles({ files, onRemove }: { files: File[]; onRemove: (i: number) => void }) {
  if (files.length === 0) return null;
  return (
    <ul className="share-files">
      {files.map((file, i) => (
        <li key={`${i}-${file.name}`}>
          {file.name} <span className="muted">({formatSize(file.size)})</span>{" "}
          <Button
            type="text"
            size="small"
            icon={<DeleteOutlined />}
            aria-label={t.remove(file.name)}
            onClick={() => onRemove(i)}
          />
        </li>
      ))}
    </ul>
  );
}
