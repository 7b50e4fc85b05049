import { Checkbox, DatePicker, Flex, Form, Input, Space } from "antd";
import type { Rule } from "antd/es/form";
import dayjs, { type Dayjs } from "dayjs";
import { useSignedIn } from "../session/queries";
import { userMessages } from "./messages";
import {
  ACCOUNT_NAME,
  DATE_FORMAT,
  EMAIL_MAX,
  NAME_MAX,
  type UserFormValues,
  latestValidUntil,
} from "./userForm";

const t = userMessages.form;

/** Columns (of 24) the labels take; the form sets the same. */
export const LABEL_SPAN = 5;
const r = userMessages.rules;

const nameRules: Rule[] = [
  { required: true, whitespace: true, message: r.required(t.accountName) },
  { pattern: ACCOUNT_NAME, message: r.accountFormat },
];
const familyRules: Rule[] = [
  { required: true, whitespace: true, message: r.required(t.familyName) },
  ({ getFieldValue }) => ({
    validator: async (_, value: string | undefined) => {
      const given = (getFieldValue("given_name") as string | undefined) ?? "";
      if ((value ?? "").trim().length + given.trim().length > NAME_MAX) {
        throw new Error(r.nameLength);
      }
    },
  }),
];
const emailRules: Rule[] = [
  { required: true, whitespace: true, message: r.required(t.email) },
  { max: EMAIL_MAX, message: r.emailLength },
];
const fromRules: Rule[] = [{ required: true, message: r.required(t.validFrom) }];
const untilRules: Rule[] = [
  { required: true, message: r.required(t.validUntil) },
  ({ getFieldValue }) => ({
    validator: async (_, value: Dayjs | null | undefined) => {
      if (!value) return;
      const from = getFieldValue("valid_from") as Dayjs | null | undefined;
      if (from && value.isBefore(from, "day")) throw new Error(r.untilBeforeFrom);
      const last = latestValidUntil(dayjs());
      if (value.isAfter(last, "day")) throw new Error(r.untilTooLate(last.format(DATE_FORMAT)));
    },
  }),
];

/** 「アカウント」 as the manual shows it: `998 - [name] @domain`; fixed once created. */
function AccountField({ editing }: { editing: boolean }) {
  const session = useSignedIn();
  const domain = session.account.split("@")[1] ?? "";
  return (
    <Form.Item label={t.account} required={!editing} htmlFor="user-account-name">
      <Space.Compact>
        <Space.Addon className="user-account-prefix">{session.facility} -</Space.Addon>
        <Form.Item name="name" noStyle rules={editing ? [] : nameRules}>
          <Input
            id="user-account-name"
            maxLength={60}
            disabled={editing}
            autoComplete="off"
            spellCheck={false}
          />
        </Form.Item>
        <Space.Addon className="user-account-domain">@{domain}</Space.Addon>
      </Space.Compact>
    </Form.Item>
  );
}

/** 「ユーザー名」: 姓 (required) and 名, together at most 64 characters. */
function NameField() {
  return (
    <Form.Item label={t.name} required htmlFor="user-family-name">
      <Flex gap={8}>
        <Form.Item name="family_name" noStyle rules={familyRules} dependencies={["given_name"]}>
          <Input id="user-family-name" prefix={t.familyName} aria-label={t.familyName} />
        </Form.Item>
        <Form.Item name="given_name" noStyle>
          <Input prefix={t.givenName} aria-label={t.givenName} />
        </Form.Item>
      </Flex>
    </Form.Item>
  );
}

/** 「基本情報」 (manual 3.0 items 1–5, and 3.1's two resets when editing, with the second
 * password's beside them: a user who lost it could never share files again). */
export function BasicFields({ editing }: { editing: boolean }) {
  const validFrom = Form.useWatch<UserFormValues["valid_from"]>("valid_from");
  const last = latestValidUntil(dayjs());
  return (
    <>
      <AccountField editing={editing} />
      <NameField />
      <Form.Item label={t.email} name="email" required rules={emailRules}>
        <Input inputMode="email" maxLength={EMAIL_MAX} autoComplete="off" spellCheck={false} />
      </Form.Item>
      {editing && (
        <Form.Item wrapperCol={{ offset: LABEL_SPAN, span: 24 - LABEL_SPAN }}>
          <Flex gap={24} wrap>
            <Form.Item name="reset_password" valuePropName="checked" noStyle>
              <Checkbox>{t.resetPassword}</Checkbox>
            </Form.Item>
            <Form.Item name="reset_mfa" valuePropName="checked" noStyle>
              <Checkbox>{t.resetMfa}</Checkbox>
            </Form.Item>
            <Form.Item name="reset_second_password" valuePropName="checked" noStyle>
              <Checkbox>{t.resetSecondPassword}</Checkbox>
            </Form.Item>
          </Flex>
        </Form.Item>
      )}
      <Form.Item label={t.validFrom} name="valid_from" required rules={fromRules}>
        <DatePicker format={DATE_FORMAT} />
      </Form.Item>
      <Form.Item
        label={t.validUntil}
        name="valid_until"
        required
        rules={untilRules}
        dependencies={["valid_from"]}
      >
        <DatePicker
          format={DATE_FORMAT}
          disabledDate={(day) =>
            day.isAfter(last, "day") || Boolean(validFrom && day.isBefore(validFrom, "day"))
          }
        />
      </Form.Item>
    </>
  );
}
