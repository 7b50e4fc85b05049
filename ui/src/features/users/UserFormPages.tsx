import { Alert, App, Button, Form, Result } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { useLocation, useNavigate, useParams } from "react-router";
import { ApiError, type Schemas } from "../../api/client";
import { LoadFailed, Loading } from "../../components/PageStates";
import { applyProblem } from "../../components/problems";
import { useSignedIn } from "../session/queries";
import { userMessages } from "./messages";
import { useCreateUser, useUpdateUser, useUser } from "./queries";
import { SavedModal } from "./SavedModal";
import type { Secrets } from "./secrets";
import { UserForm } from "./UserForm";
import {
  type UserFormValues,
  createBody,
  newUserValues,
  updateBody,
  userField,
  userValues,
} from "./userForm";
import "./users.css";

const t = userMessages.form;

/** Where 「戻る」 and OK go: the list as it was left (its search is in the address). */
function useBackToList() {
  const location = useLocation();
  const navigate = useNavigate();
  const state = location.state as { back?: string } | null;
  const back = state?.back?.startsWith("/users") ? state.back : "/users";
  return () => navigate(back);
}

/** 「新規」 (U2): 登録 → 確認 → OK → 「ユーザー登録完了」 with the passwords, once. */
export function UserCreatePage() {
  const { facility } = useSignedIn();
  const [form] = Form.useForm<UserFormValues>();
  const [initial] = useState(() => newUserValues(dayjs()));
  const create = useCreateUser(facility);
  const [secrets, setSecrets] = useState<Secrets | null>(null);
  const back = useBackToList();
  const submit = (values: UserFormValues) =>
    create.mutate(createBody(values), {
      onSuccess: (out) => {
        setSecrets({
          account: out.account,
          initialPassword: out.initial_password,
          secondPassword: out.second_password,
        });
        // The answer holds the passwords: keep them only in the dialog.
        create.reset();
      },
      onError: (error) => applyProblem(form, error, userField),
    });
  return (
    <>
      <UserForm
        form={form}
        title={t.createTitle}
        editing={false}
        initialValues={initial}
        knownTerminals={[]}
        saving={create.isPending}
        error={create.error}
        onSubmit={submit}
        onBack={back}
      />
      <SavedModal
        secrets={secrets}
        onClose={() => {
          setSecrets(null);
          back();
        }}
      />
    </>
  );
}

/** 「ユーザー編集」 (U4): the user read fresh; 404 said plainly, with a way back. */
export function UserEditPage() {
  const { userId = "" } = useParams();
  const { facility } = useSignedIn();
  const user = useUser(facility, userId);
  const back = useBackToList();
  if (user.isPending) return <Loading />;
  if (user.isError) {
    // 404: missing or another facility's (T3); 409: the id of an admin, not a user.
    const problem = user.error instanceof ApiError ? user.error.problem : null;
    if (problem?.status === 404 || problem?.status === 409) {
      return (
        <Result
          status="404"
          title={problem.status === 404 ? t.notFound : problem.title}
          extra={
            <Button type="primary" onClick={back}>
              {t.backToList}
            </Button>
          }
        />
      );
    }
    return <LoadFailed error={user.error} onRetry={() => void user.refetch()} />;
  }
  return <EditForm key={user.data.user_id} user={user.data} reload={async () => (await user.refetch()).data} />;
}

function isStale(error: unknown): error is ApiError {
  return error instanceof ApiError && error.code === "version_conflict";
}

function EditForm({
  user,
  reload,
}: {
  user: Schemas["UserOut"];
  reload: () => Promise<Schemas["UserOut"] | undefined>;
}) {
  const { facility } = useSignedIn();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserFormValues>();
  // The user as the form was filled: its version is the one saved at, whatever a later
  // read says, so another admin's save in between is refused, never overwritten (U4).
  const [readAt, setReadAt] = useState(user);
  const update = useUpdateUser(facility, user.user_id);
  const [secrets, setSecrets] = useState<Secrets | null>(null);
  const back = useBackToList();

  const submit = (values: UserFormValues) =>
    update.mutate(updateBody(values, readAt.version), {
      onSuccess: (out) => {
        update.reset();
        // A reset's new secrets are in this answer only: show them once, together.
        if (out.initial_password || out.second_password) {
          setSecrets({
            account: out.user.account,
            initialPassword: out.initial_password ?? undefined,
            secondPassword: out.second_password ?? undefined,
          });
          return;
        }
        void message.success(t.saved);
        back();
      },
      onError: (error) => applyProblem(form, error, userField),
    });

  const refill = async () => {
    const fresh = await reload();
    if (!fresh) return;
    setReadAt(fresh);
    form.resetFields();
    form.setFieldsValue(userValues(fresh));
    update.reset();
    void message.info(t.reloaded);
  };

  const notice = isStale(update.error) ? (
    <Alert
      type="warning"
      showIcon
      role="alert"
      title={update.error.problem.title}
      action={<Button onClick={() => void refill()}>{t.reload}</Button>}
      style={{ marginBottom: 16 }}
    />
  ) : undefined;

  return (
    <>
      <UserForm
        form={form}
        title={t.editTitle}
        editing
        initialValues={userValues(readAt)}
        knownTerminals={readAt.terminals}
        saving={update.isPending}
        error={update.error}
        notice={notice}
        onSubmit={submit}
        onBack={back}
      />
      <SavedModal
        secrets={secrets}
        onClose={() => {
          setSecrets(null);
          back();
        }}
      />
    </>
  );
}
