import { CheckCircleFilled, CloseCircleOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input } from "antd";
import { applyProblem, unplacedMessages } from "../../components/problems";
import { ProblemAlert } from "../../components/ProblemAlert";
import { sessionMessages as t, policyRules } from "./messages";
import { policyState } from "./policy";
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
  const state = policyState(typed, account);
  const change = useMutation({
    mutationFn: (password: string) =>
      calls.newPassword(step.handle ?? "", password),
    onSuccess: onDone,
    onError: (error) => {
      applyProblem(form, error, toField);
      onFailed(error);
    },
  });
  const rules: [keyof typeof policyRules, boolean | null][] = [
    ["length", state.length],
    ["classes", state.classes],
    ["account", state.account],
    ["different", null],
  ];
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
      <section aria-labelledby="policy-title" className="policy">
        <strong id="policy-title">
          {t.newPassword.policy}
        </strong>
        <ul>
          {rules.map(([rule, ok]) => (
            <li key={rule} data-ok={ok === null ? "unknown" : String(ok)}>
              {ok ? (
                <CheckCircleFilled className="policy-ok" aria-label="満たしています" />
              ) : (
                <CloseCircleOutlined className="policy-pending" aria-label="未達" />
              )}{" "}
              {policyRules[rule]}
            </li>
          ))}
        </ul>
      </section>
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
