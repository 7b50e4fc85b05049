import { CheckCircleFilled, CloseCircleOutlined } from "@ant-design/icons";
import { sessionMessages as t, policyRules } from "./messages";
import { policyState } from "./policy";

/** The password policy (SPEC L1), each rule marked as met while the password is typed. */
export function PolicyList({ typed, account }: { typed: string; account: string }) {
  const state = policyState(typed, account);
  const rules: [keyof typeof policyRules, boolean | null][] = [
    ["length", state.length],
    ["classes", state.classes],
    ["account", state.account],
    ["different", null],
  ];
  return (
    <section aria-labelledby="policy-title" className="policy">
      <strong id="policy-title">{t.newPassword.policy}</strong>
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
  );
}
