import { SearchOutlined } from "@ant-design/icons";
import { Button, Card, Form, Input } from "antd";
import { userMessages } from "./messages";

const t = userMessages.list;

export type SearchTerms = { account: string; name: string; email: string };

// The API takes at most 120 characters per term.
const TERM_MAX = 120;

/** 「検索条件」: アカウント, ユーザー名, メールアドレス, each partial and of any case (U3). */
export function UserSearch({
  terms,
  onSearch,
}: {
  terms: SearchTerms;
  onSearch: (terms: SearchTerms) => void;
}) {
  return (
    <Card size="small" title={t.search} className="user-search">
      <Form<SearchTerms>
        layout="inline"
        role="search"
        aria-label={t.search}
        initialValues={terms}
        onFinish={(v) =>
          onSearch({
            account: (v.account ?? "").trim(),
            name: (v.name ?? "").trim(),
            email: (v.email ?? "").trim(),
          })
        }
      >
        <Form.Item label={t.columns.account} name="account">
          <Input allowClear maxLength={TERM_MAX} autoComplete="off" />
        </Form.Item>
        <Form.Item label={t.columns.name} name="name">
          <Input allowClear maxLength={TERM_MAX} autoComplete="off" />
        </Form.Item>
        <Form.Item label={t.columns.email} name="email">
          <Input allowClear maxLength={TERM_MAX} autoComplete="off" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined aria-hidden />}>
            {t.searchButton}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
