import { Button, DatePicker, Form, Popover, Radio, Space, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import type { LogQuery, Preset } from "./logQuery";
import { logMessages } from "./messages";

const t = logMessages.period;
const SHOWN = "YYYY/MM/DD";
const SENT = "YYYY-MM-DD";

type Draft = { preset: Preset; from: Dayjs | null; to: Dayjs | null };

function presetLabel(preset: Preset): string {
  return preset === "24h" ? t.last24 : preset === "custom" ? t.custom : t.last7;
}

/** What the button says: the time column, the period, and a custom period's days. */
function summary(column: string, query: LogQuery): string {
  const days =
    query.preset === "custom" && query.from && query.to
      ? ` (${t.range(query.from.replaceAll("-", "/"), query.to.replaceAll("-", "/"))})`
      : "";
  return t.summary(column, presetLabel(query.preset)) + days;
}

/** 期間 (A3): 過去7日間, 過去24時間, or カスタム期間 with FROM/TO days, then 適用. The days
 * are plain calendar days; the server reads them in the facility's time zone. */
export function PeriodPicker({
  column,
  query,
  onApply,
}: {
  column: string;
  query: LogQuery;
  onApply: (period: Pick<LogQuery, "preset" | "from" | "to">) => void;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(() => fromQuery(query));
  const [problem, setProblem] = useState<string | null>(null);
  const apply = () => {
    if (draft.preset === "custom" && (!draft.from || !draft.to)) {
      setProblem(t.needBoth);
      return;
    }
    // FROM after TO reads as the same days the other way round.
    const [from, to] =
      draft.from && draft.to && draft.from.isAfter(draft.to)
        ? [draft.to, draft.from]
        : [draft.from, draft.to];
    onApply({
      preset: draft.preset,
      from: draft.preset === "custom" ? (from?.format(SENT) ?? null) : null,
      to: draft.preset === "custom" ? (to?.format(SENT) ?? null) : null,
    });
    setOpen(false);
  };
  const content = (
    // No submit: Enter in a day field confirms the day, 適用 applies the period.
    <Form layout="vertical" className="log-period" component="div">
      <Form.Item label={t.label}>
        <Radio.Group
          value={draft.preset}
          onChange={(e) => setDraft({ ...draft, preset: e.target.value as Preset })}
        >
          <Space direction="vertical">
            <Radio value="7d">{t.last7}</Radio>
            <Radio value="24h">{t.last24}</Radio>
            <Radio value="custom">{t.custom}</Radio>
          </Space>
        </Radio.Group>
      </Form.Item>
      {draft.preset === "custom" && (
        <Space wrap>
          <Form.Item label={t.from} htmlFor="log-period-from">
            <DatePicker
              id="log-period-from"
              format={SHOWN}
              placeholder={t.placeholder}
              value={draft.from}
              onChange={(from) => setDraft({ ...draft, from })}
            />
          </Form.Item>
          <Form.Item label={t.to} htmlFor="log-period-to">
            <DatePicker
              id="log-period-to"
              format={SHOWN}
              placeholder={t.placeholder}
              value={draft.to}
              onChange={(to) => setDraft({ ...draft, to })}
            />
          </Form.Item>
        </Space>
      )}
      {problem && draft.preset === "custom" && (
        <Typography.Text type="danger" role="alert">
          {problem}
        </Typography.Text>
      )}
      <div>
        <Button type="primary" onClick={apply}>
          {t.apply}
        </Button>
      </div>
    </Form>
  );
  return (
    <Popover
      content={content}
      trigger="click"
      open={open}
      placement="bottomLeft"
      onOpenChange={(next) => {
        if (next) {
          setDraft(fromQuery(query));
          setProblem(null);
        }
        setOpen(next);
      }}
    >
      <Button aria-expanded={open} aria-haspopup="dialog">
        {summary(column, query)}
      </Button>
    </Popover>
  );
}

function fromQuery(query: LogQuery): Draft {
  return {
    preset: query.preset,
    from: query.from ? dayjs(query.from) : null,
    to: query.to ? dayjs(query.to) : null,
  };
}
