// 「有効終了日一括登録」 (manual 3.4; SPEC U7): the checked users, one date at most two years
// ahead, the list as confirmation, then each user's result (a later 有効開始日 is refused
// for that user alone).
import { CalendarOutlined, CheckCircleFilled, CloseCircleFilled } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, DatePicker, Form, Modal, Table, Tooltip, Typography } from "antd";
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
    // A date typed into the picker becomes the field's value when the picker closes, which
    // happens in the same click as 「OK」: let it land before validating.
    await new Promise((settle) => setTimeout(settle, 0));
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
          {/* No onFinish: Enter in the date field must not apply it; only 「OK」 does. */}
          <Form form={form} layout="vertical" requiredMark>
            <Form.Item
              name="valid_until"
              label={t.field}
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
          <Alert
            type="info"
            showIcon
            title={t.point}
            description={t.pointText}
            style={{ marginBottom: 12 }}
          />
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
        // Icons beside text of the body's colour: antd's red and green text fail AA contrast.
        o.ok ? (
          <Typography.Text>
            <CheckCircleFilled style={{ color: "#389e0d" }} aria-hidden /> {t.success}
          </Typography.Text>
        ) : (
          <Typography.Text>
            <CloseCircleFilled style={{ color: "#cf1322" }} aria-hidden /> {o.message}
          </Typography.Text>
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
