import { Form, Select } from "antd";
import { useMemo } from "react";
import { useSignedIn } from "../session/queries";
import { userMessages } from "./messages";
import { useFederationTargets } from "./queries";
import { federationOptions } from "./userForm";

const t = userMessages.form;

/**
 * 「認証連携先」 (T1, U1): any of the facility's current targets; a retired one only on a
 * user who had it when the form opened, marked 「（廃止）」 and removable. Operators keep
 * the catalogue (`./fumidai facility targets`); the server checks the same rule.
 */
export function FederationField({ held }: { held: readonly string[] }) {
  const { facility } = useSignedIn();
  const targets = useFederationTargets(facility);
  const options = useMemo(
    () => federationOptions(targets.data?.items ?? [], held, t.federationRetired),
    [targets.data, held],
  );
  const keepsRetired = options.some((option) => option.retired);
  return (
    <Form.Item
      label={t.federationTargets}
      name="federation_targets"
      extra={targets.isError ? t.federationFailed : keepsRetired ? t.federationRetiredHint : undefined}
    >
      <Select
        mode="multiple"
        options={options}
        optionFilterProp="label"
        loading={targets.isPending}
        notFoundContent={targets.isPending ? undefined : t.federationEmpty}
        allowClear
      />
    </Form.Item>
  );
}
