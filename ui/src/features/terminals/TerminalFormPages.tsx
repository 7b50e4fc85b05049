import { Alert, App, Button, Form, Result } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { LoadFailed, Loading } from "../../components/PageStates";
import { applyProblem } from "../../components/problems";
import { useSignedIn } from "../session/queries";
import { Credentials } from "./Credentials";
import { terminalMessages } from "./messages";
import {
  type TerminalRow,
  type TerminalUser,
  useCreateTerminal,
  useEditTerminal,
  useTerminal,
  useTerminalUsers,
} from "./queries";
import { TerminalForm } from "./TerminalForm";
import { namePart, type TerminalFormValues, terminalField } from "./terminalForm";
import { UserSelection } from "./UserSelection";
import "./terminals.css";

const t = terminalMessages.form;
const NOBODY: ReadonlySet<string> = new Set();

/** What a save answers: saved, and whether every checked user could be assigned. */
function useSavedMessage() {
  const { message } = App.useApp();
  const navigate = useNavigate();
  return (saved: Schemas["TerminalSaved"]) => {
    const refused = saved.assignments.filter((a) => !a.ok);
    if (refused.length) {
      // The terminal is saved either way; the selection was all or nothing (gateway).
      const reasons = [...new Set(refused.map((a) => a.message ?? a.code ?? ""))].filter(Boolean);
      void message.warning([t.notSavedUsers, ...reasons].join(" "), 8);
    } else {
      void message.success(t.saved);
    }
    navigate("/terminals");
  };
}

/** 「新規」 (K2): name and 「ユーザー選択」 → 登録 → 確認 → OK. */
export function TerminalCreatePage() {
  const { facility } = useSignedIn();
  const navigate = useNavigate();
  const [form] = Form.useForm<TerminalFormValues>();
  const [selected, setSelected] = useState<Map<string, TerminalUser>>(() => new Map());
  const create = useCreateTerminal(facility);
  const done = useSavedMessage();
  const submit = (values: TerminalFormValues) =>
    create.mutate(
      { name: values.name.trim(), user_ids: [...selected.keys()] },
      { onSuccess: done, onError: (error) => applyProblem(form, error, terminalField) },
    );
  return (
    <TerminalForm
      form={form}
      title={t.createTitle}
      code={facility}
      initialValues={{ name: "" }}
      saving={create.isPending}
      error={create.error}
      onSubmit={submit}
      onBack={() => navigate("/terminals")}
      selection={
        <UserSelection
          code={facility}
          terminalId={null}
          selected={selected}
          onChange={setSelected}
          first={NOBODY}
          disabled={create.isPending}
        />
      }
    />
  );
}

/** 「接続端末編集」 (K3): the terminal and its users read fresh; 404 said plainly. */
export function TerminalEditPage() {
  const { terminalId = "" } = useParams();
  const { facility } = useSignedIn();
  const navigate = useNavigate();
  const terminal = useTerminal(facility, terminalId);
  const users = useTerminalUsers(facility, terminalId, "");
  const failed = terminal.error ?? users.error;
  if (failed) {
    const problem = failed instanceof ApiError ? failed.problem : null;
    if (problem?.status === 404) {
      return (
        <Result
          status="404"
          title={t.notFound}
          extra={
            <Button type="primary" onClick={() => navigate("/terminals")}>
              {t.backToList}
            </Button>
          }
        />
      );
    }
    const retry = () => void Promise.all([terminal.refetch(), users.refetch()]);
    return <LoadFailed error={failed} onRetry={retry} />;
  }
  if (!terminal.data || !users.data) return <Loading />;
  const reload = async () => {
    const [fresh, freshUsers] = await Promise.all([terminal.refetch(), users.refetch()]);
    return fresh.data && freshUsers.data ? { terminal: fresh.data, users: freshUsers.data } : null;
  };
  return (
    <EditForm
      key={terminal.data.terminal_id}
      terminal={terminal.data}
      users={users.data}
      reload={reload}
    />
  );
}

type Snapshot = { terminal: TerminalRow; users: readonly TerminalUser[] };

function assignedOf(users: readonly TerminalUser[]): Map<string, TerminalUser> {
  return new Map(users.filter((u) => u.assigned).map((u) => [u.user_id, u]));
}

function EditForm({
  terminal,
  users,
  reload,
}: Snapshot & { reload: () => Promise<Snapshot | null> }) {
  const { facility } = useSignedIn();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<TerminalFormValues>();
  // The terminal as the form was filled: its version is the one saved at, so another
  // admin's rename in between is refused, never overwritten.
  const [readAt, setReadAt] = useState<Snapshot>({ terminal, users });
  const [selected, setSelected] = useState(() => assignedOf(users));
  const [first, setFirst] = useState<ReadonlySet<string>>(() => new Set(assignedOf(users).keys()));
  const edit = useEditTerminal(facility, terminal.terminal_id);
  const done = useSavedMessage();

  const submit = (values: TerminalFormValues) =>
    edit.mutate(
      { name: values.name.trim(), version: readAt.terminal.version, user_ids: [...selected.keys()] },
      { onSuccess: done, onError: (error) => applyProblem(form, error, terminalField) },
    );

  const refill = async () => {
    const fresh = await reload();
    if (!fresh) return;
    setReadAt(fresh);
    const assigned = assignedOf(fresh.users);
    setSelected(assigned);
    setFirst(new Set(assigned.keys()));
    form.resetFields();
    form.setFieldsValue({ name: namePart(fresh.terminal.name, facility) });
    edit.reset();
    void message.info(t.reloaded);
  };

  const stale = edit.error instanceof ApiError && edit.error.code === "version_conflict";
  const notice = stale ? (
    <Alert
      type="warning"
      showIcon
      role="alert"
      title={(edit.error as ApiError).problem.title}
      action={<Button onClick={() => void refill()}>{t.reload}</Button>}
      style={{ marginBottom: 16 }}
    />
  ) : undefined;

  return (
    <TerminalForm
      form={form}
      title={t.editTitle}
      code={facility}
      initialValues={{ name: namePart(readAt.terminal.name, facility) }}
      saving={edit.isPending}
      error={edit.error}
      notice={notice}
      onSubmit={submit}
      onBack={() => navigate("/terminals")}
      selection={
        <UserSelection
          code={facility}
          terminalId={terminal.terminal_id}
          selected={selected}
          onChange={setSelected}
          first={first}
          disabled={edit.isPending}
        />
      }
      after={<Credentials code={facility} terminalId={terminal.terminal_id} />}
    />
  );
}
