import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input } from "antd";
import { applyProblem, unplacedMessages } from "../../components/problems";
import { ProblemAlert } from "../../components/ProblemAlert";
import { sessionMessages as t } from "./messages";
import { PolicyList } from "./PolicyList";
import { AccountLine } from "./SignInFlow";
import type { Step, StepCalls } from "./steps";

type Props = {
  step: Step;
  account: string;
  onDone: (s: Step) => void;
  onFailed: (e: unknown) => void;
  calls: StepCalls;
};

const toField = () => "new_password";

/** 「パスワードの更新」: the policy listed and checked while typing; every failed rule named. */
export function NewPasswordStep({ step, account, onDone, onFailed, calls }: Props) {
  const [form] = Form.useForm<{ new_password: string; confirm: string }>();
  const typed = Form.useWatch("new_password", form) ?? "";
  const change = useMutation({
    mutationFn: (password: string) =>
      calls.newPassword(step.handle ?? "", password),
    onSuccess: onDone,
    onError: (error) => {
      applyProblem(form, error, toField);
      onFailed(error);
    },
  });
  return (
    <>
      <h1 className="signin-title">
        {t.newPassword.title}
      </h1>
      <AccountLine account={account} />
      <p>
        {step.password_reason === "expired" ? t.newPassword.expired : t.newPassword.initial}
      </p>
      <ProblemAlert error={change.error} extra={unplacedMessages(change.error, () => null)} />
      <PolicyList typed={typed} account={account} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => change.mutate(v.new_password)}
      >
        <Form.Item
          label={t.newPassword.field}
          name="new_password"
          rules={[{ required: true, message: t.required(t.newPassword.field) }]}
        >
          <Input.Password autoComplete="new-password" autoFocus maxLength={128} />
        </Form.Item>
        <Form.Item
          label={t.newPassword.confirm}
          name="confirm"
          dependencies={["new_password"]}
          rules={[
            { required: true, message: t.required(t.newPassword.confirm) },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue("new_password") === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t.newPassword.mismatch)),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={change.isPending}>
          {t.signIn}
        </Button>
      </Form>
    </>
  );
}
