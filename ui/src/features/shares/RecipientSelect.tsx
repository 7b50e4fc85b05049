import { Select } from "antd";
import { useState } from "react";
import { useSignedIn } from "../session/queries";
import { shareMessages } from "./messages";
import { useRecipients } from "./queries";

const t = shareMessages.upload;

type Props = { id?: string; value?: string; onChange?: (account: string) => void };

/** 共有先ユーザー: a search over the facility's users by account (F8). */
export function RecipientSelect({ id, value, onChange }: Props) {
  const { facility: code } = useSignedIn();
  const [search, setSearch] = useState("");
  const users = useRecipients(code, search);
  const options = (users.data?.items ?? []).map((user) => ({
    value: user.account,
    label: `${user.account}（${user.display_name}）`,
  }));
  return (
    <Select
      id={id}
      value={value}
      onChange={onChange}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={t.recipientPlaceholder}
      options={options}
      loading={users.isFetching}
      notFoundContent={t.noUsers}
      allowClear
    />
  );
}
