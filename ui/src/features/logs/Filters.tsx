import { CloseOutlined, FilterOutlined } from "@ant-design/icons";
import { Button, Form, Input, Modal, Select, Tag } from "antd";
import { useState } from "react";
import { splitFilter } from "./logQuery";
import { logMessages } from "./messages";

const t = logMessages.filters;

export type Column = { key: string; label: string };

/** A chip's words: the column's heading and the value. */
function chipText(filter: string, columns: readonly Column[]): string {
  const { column, value } = splitFilter(filter);
  const label = columns.find((c) => c.key === column)?.label ?? column;
  return `${label}: ${value}`;
}

/** The filters applied (A4), each a chip removed by its own button (keyboard reachable). */
export function FilterChips({
  filters,
  columns,
  onRemove,
}: {
  filters: readonly string[];
  columns: readonly Column[];
  onRemove: (filter: string) => void;
}) {
  if (filters.length === 0) return null;
  return (
    <ul className="log-chips" aria-label={t.chips}>
      {filters.map((filter) => {
        const text = chipText(filter, columns);
        return (
          <li key={filter}>
            <Tag className="log-chip">
              {text}
              <Button
                type="text"
                size="small"
                icon={<CloseOutlined aria-hidden />}
                aria-label={t.remove(text)}
                title={t.remove(text)}
                onClick={() => onRemove(filter)}
              />
            </Tag>
          </li>
        );
      })}
    </ul>
  );
}

type Draft = { column?: string; value?: string };

/** 「フィルターを追加」: pick a column of the log and type what it should match. */
export function AddFilter({
  columns,
  onAdd,
}: {
  columns: readonly Column[];
  onAdd: (column: string, value: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Draft>();
  const close = () => {
    setOpen(false);
    form.resetFields();
  };
  return (
    <>
      <Button icon={<FilterOutlined aria-hidden />} onClick={() => setOpen(true)} disabled={!columns.length}>
        {t.add}
      </Button>
      <Modal
        title={t.dialog}
        open={open}
        okText={t.ok}
        cancelText={t.cancel}
        onOk={() => form.submit()}
        onCancel={close}
        destroyOnHidden
      >
        <Form<Draft>
          form={form}
          layout="vertical"
          onFinish={(draft) => {
            if (draft.column && draft.value?.trim()) onAdd(draft.column, draft.value);
            close();
          }}
        >
          <Form.Item name="column" label={t.column} rules={[{ required: true, message: t.needColumn }]}>
            <Select options={columns.map((c) => ({ value: c.key, label: c.label }))} />
          </Form.Item>
          <Form.Item
            name="value"
            label={t.value}
            rules={[{ required: true, whitespace: true, message: t.needValue }]}
          >
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
