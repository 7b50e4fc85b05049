import { Button, Flex, Input, Space, Table, Typography } from "antd";
import type { Key } from "react";
import { useState } from "react";
import { LoadFailed } from "../../components/PageStates";
import { terminalMessages } from "./messages";
import { type TerminalUser, useTerminalUsers } from "./queries";
import { selectedFirst } from "./terminalForm";

const t = terminalMessages.users;

type Props = {
  code: string;
  terminalId: string | null;
  selected: ReadonlyMap<string, TerminalUser>;
  onChange: (selected: Map<string, TerminalUser>) => void;
  /** The users checked when the form opened: listed first. */
  first: ReadonlySet<string>;
  disabled: boolean;
};

const COLUMNS = [
  { title: t.columns.account, dataIndex: "account", key: "account", ellipsis: true },
  {
    title: t.columns.name,
    key: "name",
    width: 200,
    ellipsis: true,
    render: (_: unknown, row: TerminalUser) => `${row.family_name} ${row.given_name}`.trim(),
  },
  { title: t.columns.email, dataIndex: "email", key: "email", width: 260, ellipsis: true },
];

/** 「ユーザー選択」 (K2, K3): the facility's users, searched by account; the checks survive
 * a search, and the count says how many are checked in all. Admins are never listed. */
export function UserSelection({ code, terminalId, selected, onChange, first, disabled }: Props) {
  const [draft, setDraft] = useState("");
  const [account, setAccount] = useState("");
  const users = useTerminalUsers(code, terminalId, account);
  const rows = selectedFirst(users.data ?? [], first);

  const select = (keys: Key[], picked: (TerminalUser | undefined)[]) => {
    // Users checked but outside this search are not among `picked`: keep what we had.
    const next = new Map<string, TerminalUser>();
    keys.forEach((key, i) => {
      const row = picked[i] ?? selected.get(String(key));
      if (row) next.set(String(key), row);
    });
    onChange(next);
  };

  return (
    <section aria-labelledby="terminal-users-title">
      <Typography.Title level={2} className="terminal-form-section" id="terminal-users-title">
        {t.title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t.adminsNote}</Typography.Paragraph>
      <Flex justify="space-between" align="center" wrap gap={8} className="terminal-user-search">
        <Space>
          <label htmlFor="terminal-user-account">{t.account}:</label>
          <Input
            id="terminal-user-account"
            className="terminal-user-account"
            value={draft}
            allowClear
            maxLength={254}
            onChange={(e) => setDraft(e.target.value)}
            onPressEnter={(e) => {
              // Enter searches; it must not submit the terminal form.
              e.preventDefault();
              setAccount(draft.trim());
            }}
          />
          <Button onClick={() => setAccount(draft.trim())}>{t.search}</Button>
        </Space>
        <Typography.Text aria-live="polite" strong>
          {t.selected(selected.size)}
        </Typography.Text>
      </Flex>
      {users.isError && !users.data ? (
        <LoadFailed error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <Table<TerminalUser>
          className="terminal-user-table"
          rowKey="user_id"
          size="small"
          columns={COLUMNS}
          dataSource={rows}
          loading={users.isFetching}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: users.isPending ? "" : account ? t.noMatch : t.none }}
          rowSelection={{
            columnWidth: 48,
            preserveSelectedRowKeys: true,
            selectedRowKeys: [...selected.keys()],
            onChange: select,
            hideSelectAll: true,
            getCheckboxProps: (row) => ({ "aria-label": t.selectRow(row.account), disabled }),
          }}
        />
      )}
    </section>
  );
}
