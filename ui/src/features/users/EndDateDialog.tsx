// 「有効終了日一括登録」 (manual 3.4; SPEC U7): the checked users, one date at most two years
// ahead, the list as confirmation, then each user's result (a later 有効開始日 is refused
// for that user alone).
import { CalendarOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, DatePicker, Form, Modal, Table, Tag, Tooltip, Typography } from "antd";
import type { TableColumnsType } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { api, call } from "../../api/client";
import { ProblemAlert } from "../../components/ProblemAlert";
import { applyProblem, unplacedMessages } from "../../components/problems";
import { useSignedIn } from "../session/queries";
import { endDateMessages as t } from "./endDateMessages";
import { countOutcomes, type EndDateOutcome, endDateOutcomes } from "./endDateResults";
import { dateText } from "./format";
import { rememberConsistency, type UserRow, userKeys } from "./queries";
import { latestValidUntil } from "./userForm";

const DATE_FORMAT = "YYYY/MM/DD";
const onDateField = (wire: string) => (wire === "valid_until" ? "valid_until" : null);

export function EndDateButton({ selected, onDone }: { selected: UserRow[]; onDone: () => void }) {
  const [checked, setChecked] = useState<UserRow[] | null>(null);
  const none = selected.length === 0;
  const button = (
    <Button
      icon={<CalendarOutlined aria-hidden />}
      disabled={none}
      onClick={() => setChecked(selected)}
    >
      {t.button}
    </Button>
  );
  return (
    <>
      {none ? (
        <Tooltip title={t.noneSelected}>
          <span>{button}</span>
        </Tooltip>
      ) : (
        button
      )}
      {checked && (
        <EndDateDialog checked={checked} onApplied={onDone} onClose={() => setChecked(null)} />
      )}
    </>
  );
}

/** The users checked when the dialog opened stay its subject, whatever the list does. */
function EndDateDialog({
  checked,
  onApplied,
  onClose,
}: {
  checked: UserRow[];
  onApplied: () => void;
  onClose: () => void;
}) {
  const { facility } = useSignedIn();
  const client = useQueryClient();
  const [form] = Form.useForm<{ valid_until: Dayjs | null }>();
  const latest = latestValidUntil(dayjs());
  const apply = useMutation({
    mutationFn: (until: Dayjs) =>
      call(
        api.POST("/api/v1/facilities/{code}/users/end-date", {
          params: { path: { code: facility } },
          body: {
            user_ids: checked.map((row) => row.user_id),
            valid_until: until.format("YYYY-MM-DD"),
          },
        }),
      ),
    onSuccess: (done) => {
      rememberConsistency(facility, done.consistency_token);
      void client.invalidateQueries({ queryKey: userKeys.lists(facility) });
      onApplied();
    },
    onError: (error) => applyProblem(form, error, onDateField),
  });
  const outcomes = apply.data ? endDateOutcomes(checked, apply.data.results) : null;
  const submit = async () => {
    const values = await form.validateFields().catch(() => null);
    if (values?.valid_until) apply.mutate(values.valid_until);
  };
  const footer = outcomes
    ? [
        <Button key="close" type="primary" onClick={onClose}>
          {t.close}
        </Button>,
      ]
    : [
        <Button key="cancel" onClick={onClose}>
          {t.cancel}
        </Button>,
        <Button key="ok" type="primary" onClick={() => void submit()} loading={apply.isPending}>
          {t.ok}
        </Button>,
      ];

  return (
    <Modal open title={t.title} onCancel={onClose} footer={footer} width={760}>
      {outcomes ? (
        <OutcomeList outcomes={outcomes} />
      ) : (
        <>
          <ProblemAlert error={apply.error} extra={unplacedMessages(apply.error, onDateField)} />
          <Form form={form} layout="vertical" requiredMark onFinish={() => void submit()}>
            <Form.Item
              name="valid_until"
              label={t.field}
              extra={`${t.point}: ${t.pointText}`}
              rules={[
                { required: true, message: t.required },
                {
                  validator: (_, value: Dayjs | null) =>
                    value && value.isAfter(latest, "day")
                      ? Promise.reject(new Error(t.tooLate(latest.format(DATE_FORMAT))))
                      : Promise.resolve(),
                },
              ]}
            >
              <DatePicker
                format={DATE_FORMAT}
                placeholder={t.placeholder}
                maxDate={latest}
                disabledDate={(day) => day.isAfter(latest, "day")}
              />
            </Form.Item>
          </Form>
          <CheckedUsers rows={checked} />
        </>
      )}
    </Modal>
  );
}

function CheckedUsers({ rows }: { rows: UserRow[] }) {
  const columns: TableColumnsType<UserRow> = [
    { title: t.columns.account, dataIndex: "account", ellipsis: true },
    { title: t.columns.name, dataIndex: "display_name" },
    { title: t.columns.validFrom, dataIndex: "valid_from", render: dateText, width: 120 },
    { title: t.columns.validUntil, dataIndex: "valid_until", render: dateText, width: 120 },
  ];
  return (
    <Table<UserRow>
      title={() => t.targets(rows.length)}
      rowKey="user_id"
      size="small"
      columns={columns}
      dataSource={rows}
      pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
    />
  );
}

function OutcomeList({ outcomes }: { outcomes: EndDateOutcome[] }) {
  const { ok, failed } = countOutcomes(outcomes);
  const columns: TableColumnsType<EndDateOutcome> = [
    { title: t.columns.account, dataIndex: "account", ellipsis: true },
    { title: t.columns.name, dataIndex: "name" },
    {
      title: t.columns.result,
      key: "result",
      render: (_, o) =>
        o.ok ? (
          <Tag color="success">{t.success}</Tag>
        ) : (
          <Typography.Text type="danger">{o.message}</Typography.Text>
        ),
    },
  ];
  return (
    <>
      <Alert
        type={failed ? "warning" : "success"}
        showIcon
        role="status"
        title={t.summary(ok, failed)}
        style={{ marginBottom: 12 }}
      />
      <Table<EndDateOutcome>
        title={() => t.results}
        rowKey="user_id"
        size="small"
        columns={columns}
        dataSource={outcomes}
        pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
      />
    </>
  );
}
