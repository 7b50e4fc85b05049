import { InboxOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Progress, Typography, Upload } from "antd";
import type { UploadFile } from "antd";
import { useState } from "react";
import { ApiError } from "../../api/client";
import { applyProblem, unplacedMessages } from "../../components/problems";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useSignedIn } from "../session/queries";
import { formatFileSize } from "./format";
import { shareMessages } from "./messages";
import { useSharesChanged } from "./queries";
import { RecipientSelect } from "./RecipientSelect";
import { type SharedOut, uploadToUser } from "./uploadRequest";
import { filesProblem, MAX_PURPOSE, purposeProblem } from "./uploadRules";

const t = shareMessages.upload;

type Values = { recipient?: string; files?: UploadFile[]; purpose?: string };

// The server's problem fields → this form's fields (files[2].name → the files).
const FIELDS = (field: string) => {
  if (field === "purpose" || field === "recipient") return [field];
  if (field.startsWith("files")) return ["files"];
  return null;
};

const codePoints = (text: string) => [...text].length;

/** The Files behind antd's entries (kept in the browser: beforeUpload refuses antd's own
 * upload, so nothing is sent until 「アップロード」). */
function filesOf(entries: readonly UploadFile[] | undefined): File[] {
  return (entries ?? []).flatMap((entry) => (entry.originFileObj ? [entry.originFileObj] : []));
}

/** 「アップロード」 (F1, F8; manual 3.9 (1)): an admin shares 1–5 files with a user. */
export function UploadTab() {
  const { facility: code, csrf_token: csrfToken } = useSignedIn();
  const [form] = Form.useForm<Values>();
  const changed = useSharesChanged(code);
  const client = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<SharedOut | null>(null);

  const send = async (values: Values) => {
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const shared = await uploadToUser({
        code,
        csrfToken,
        recipient: values.recipient ?? "",
        purpose: values.purpose ?? "",
        files: filesOf(values.files),
        onProgress: (sent, total) => setProgress(Math.floor((sent / total) * 100)),
      });
      setDone(shared);
      form.resetFields();
      void changed();
    } catch (failure) {
      // The upload bypasses the API client, whose reads notice an ended session: read again.
      if (failure instanceof ApiError && failure.status === 401) void client.invalidateQueries();
      applyProblem(form, failure, FIELDS);
      setError(failure);
    } finally {
      setProgress(null);
    }
  };

  const sending = progress !== null;
  return (
    <Form<Values> form={form} layout="vertical" className="share-upload" onFinish={send}>
      {done && <Alert type="success" showIcon role="status" title={t.done} className="share-done" />}
      <ProblemAlert
        error={error}
        extra={
          error instanceof ApiError
            ? unplacedMessages(error, FIELDS).filter((m) => m !== error.problem.title)
            : []
        }
      />
      <Form.Item
        name="recipient"
        label={t.recipient}
        rules={[{ required: true, message: t.recipientRequired }]}
      >
        <RecipientSelect />
      </Form.Item>
      <Form.Item
        name="files"
        label={t.files}
        required
        valuePropName="fileList"
        getValueFromEvent={(event: { fileList: UploadFile[] }) => event.fileList}
        rules={[
          { validator: (_, value?: UploadFile[]) => checked(filesProblem(filesOf(value))) },
        ]}
      >
        <Upload.Dragger multiple beforeUpload={() => false} disabled={sending}>
          <p className="ant-upload-drag-icon">
            <InboxOutlined aria-hidden />
          </p>
          <p>{t.drop}</p>
          {/* The whole area is the button (a button inside it would nest controls). */}
          <p className="share-choose">{t.choose}</p>
        </Upload.Dragger>
      </Form.Item>
      <Form.Item
        name="purpose"
        label={t.purpose}
        required
        rules={[{ validator: (_, value?: string) => checked(purposeProblem(value ?? "")) }]}
      >
        <Input.TextArea
          rows={3}
          count={{ show: true, max: MAX_PURPOSE, strategy: codePoints }}
          disabled={sending}
        />
      </Form.Item>
      <Typography.Paragraph className="share-notes">
        {t.notes.map((note) => (
          <span key={note}>
            {note}
            <br />
          </span>
        ))}
      </Typography.Paragraph>
      {sending && <Progress percent={progress} aria-label={t.progress} status="active" />}
      <Button type="primary" htmlType="submit" loading={sending}>
        {t.submit}
      </Button>
      {done && <SharedFiles shared={done} />}
    </Form>
  );
}

function checked(problem: string | null): Promise<void> {
  return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
}

/** The server's answer: each file and its scan verdict so far. */
function SharedFiles({ shared }: { shared: SharedOut }) {
  return (
    <ul className="share-result" aria-label={shareMessages.columns.files}>
      {shared.files.map((file) => (
        <li key={file.file_id}>
          {file.name}（{formatFileSize(file.size)}）: {file.scan_label}
        </li>
      ))}
    </ul>
  );
}
