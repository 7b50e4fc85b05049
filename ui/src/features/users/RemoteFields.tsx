import { Flex, Form, Radio, Select, Switch, Typography } from "antd";
import type { Rule } from "antd/es/form";
import { useSignedIn } from "../session/queries";
import { userMessages } from "./messages";
import { type Terminal, useTerminals } from "./queries";
import {
  END_TIMES,
  MACS_MAX,
  START_TIMES,
  type UserFormValues,
  normaliseMac,
  normaliseMacs,
} from "./userForm";

const t = userMessages.form;
const r = userMessages.rules;

const macRules: Rule[] = [
  {
    validator: async (_, value: string[] | undefined) => {
      const bad = (value ?? []).filter((mac) => normaliseMac(mac) === null);
      if (bad.length) throw new Error(r.macFormat(bad.join("、")));
      if ((value ?? []).length > MACS_MAX) throw new Error(r.macTooMany);
    },
  },
];

/** 「MACアドレス」: up to 20, typed or pasted, shown as AA:BB:CC:DD:EE:FF at once. */
function MacField() {
  return (
    <Form.Item
      label={t.macs}
      name="macs"
      extra={t.macsHint}
      rules={macRules}
      normalize={(value: string[] | undefined) => normaliseMacs(value ?? [])}
    >
      <Select
        mode="tags"
        tokenSeparators={[",", " ", ";", "\n", "\t"]}
        suffixIcon={null}
        notFoundContent={null}
        allowClear
      />
    </Form.Item>
  );
}

/** 「接続端末」: any of the facility's terminals (the same data as 3.6's user selection). */
function TerminalField({ known }: { known: readonly { terminal_id: string; name: string }[] }) {
  const { facility } = useSignedIn();
  const terminals = useTerminals(facility);
  // The user's own terminals are named even before (or without) the facility's list.
  const byId = new Map<string, string>(known.map((k) => [k.terminal_id, k.name]));
  for (const terminal of terminals.data ?? ([] as Terminal[])) {
    byId.set(terminal.terminal_id, terminal.name);
  }
  const options = [...byId].map(([value, label]) => ({ value, label }));
  return (
    <Form.Item
      label={t.terminals}
      name="terminals"
      extra={terminals.isError ? t.terminalsFailed : undefined}
    >
      <Select
        mode="multiple"
        options={options}
        optionFilterProp="label"
        loading={terminals.isPending}
        allowClear
      />
    </Form.Item>
  );
}

const startRules: Rule[] = [{ required: true, message: r.choose(t.start) }];
const endRules: Rule[] = [
  { required: true, message: r.choose(t.end) },
  ({ getFieldValue }) => ({
    validator: async (_, value: string | undefined) => {
      if (value && value === getFieldValue("hours_start")) throw new Error(r.sameHours);
    },
  }),
];

/** 「接続利用可能時間」: 「常に許可」, or a start and an end on 30-minute steps. */
function HoursField() {
  const always = Form.useWatch<UserFormValues["hours_always"]>("hours_always");
  return (
    <Form.Item label={t.hours} required={!always}>
      <Flex gap={12} align="center" wrap>
        <Flex gap={6} align="center">
          <Form.Item name="hours_always" valuePropName="checked" noStyle>
            <Switch aria-label={t.always} />
          </Form.Item>
          <Typography.Text aria-hidden>{t.always}</Typography.Text>
        </Flex>
        {!always && (
          <Flex gap={8} align="center">
            {/* Visible names, not placeholders: antd's placeholder grey fails AA contrast. */}
            <label htmlFor="hours_start">{t.start}</label>
            <Form.Item name="hours_start" noStyle rules={startRules}>
              <Select
                id="hours_start"
                aria-label={t.start}
                showSearch
                className="user-hours-select"
                options={START_TIMES.map((v) => ({ value: v, label: v }))}
              />
            </Form.Item>
            <span aria-hidden>〜</span>
            <label htmlFor="hours_end">{t.end}</label>
            <Form.Item name="hours_end" noStyle rules={endRules} dependencies={["hours_start"]}>
              <Select
                id="hours_end"
                aria-label={t.end}
                showSearch
                className="user-hours-select"
                options={END_TIMES.map((v) => ({ value: v, label: v }))}
              />
            </Form.Item>
          </Flex>
        )}
      </Flex>
    </Form.Item>
  );
}

/** 「ファイル共有権限」: 常に許可 / 承認後に許可 / 拒否 (default 拒否). */
function FileShareField() {
  return (
    <Form.Item label={t.fileShare} name="file_share">
      <Radio.Group
        aria-label={t.fileShare}
        options={(["always", "approval", "deny"] as const).map((value) => ({
          value,
          label: t.fileShareOptions[value],
        }))}
      />
    </Form.Item>
  );
}

/** 「リモート利用情報」 (manual 3.0 items 6–9). */
export function RemoteFields({
  knownTerminals,
}: {
  knownTerminals: readonly { terminal_id: string; name: string }[];
}) {
  return (
    <>
      <MacField />
      <TerminalField known={knownTerminals} />
      <HoursField />
      <FileShareField />
    </>
  );
}
