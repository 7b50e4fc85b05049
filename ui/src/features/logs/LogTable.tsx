import { DisconnectOutlined } from "@ant-design/icons";
import { Button, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { useMemo } from "react";
import { useSignedIn } from "../session/queries";
import { FileNames } from "./FileLinks";
import { cellText, instantText } from "./format";
import { logMessages } from "./messages";
import { type ConnectionRow, isConnection, type LogPage, type LogRow } from "./queries";

const t = logMessages;

type Props = {
  page: LogPage;
  loading: boolean;
  emptyText: string;
  onForceClose: (row: ConnectionRow) => void;
};

/** アクティブ状態 of a forced close also says whether the agent has cut it (C4). */
function Acknowledgement({ row, timeZone }: { row: ConnectionRow; timeZone: string }) {
  if (row.closed_by === null) return null;
  return (
    <Typography.Text type="secondary" className="log-ack">
      {row.close_acknowledged_at
        ? t.forceClose.acknowledged(instantText(row.close_acknowledged_at, timeZone))
        : t.forceClose.awaiting}
    </Typography.Text>
  );
}

function columns(
  code: string,
  page: LogPage,
  onForceClose: Props["onForceClose"],
): ColumnsType<LogRow> {
  const shown: ColumnsType<LogRow> = page.columns.map((column, index) => ({
    key: column.key,
    title: column.label,
    ellipsis: true,
    render: (_: unknown, row: LogRow) => {
      const text = cellText(row.cells[index]);
      if (column.key === "file_name" && row.log === "fileshare") {
        return <FileNames code={code} row={row} text={text} />;
      }
      if (column.key === "state" && isConnection(row)) {
        return (
          <span className="log-state">
            {text}
            <Acknowledgement row={row} timeZone={page.time_zone} />
          </span>
        );
      }
      return <span title={text}>{text}</span>;
    },
  }));
  if (page.log !== "connections") return shown;
  return [
    ...shown,
    {
      key: "actions",
      title: t.actions,
      width: 110,
      render: (_: unknown, row: LogRow) =>
        isConnection(row) && row.live && row.session_id ? (
          <Button
            size="small"
            danger
            icon={<DisconnectOutlined aria-hidden />}
            onClick={() => onForceClose(row)}
          >
            {t.forceClose.button}
          </Button>
        ) : null,
    },
  ];
}

/** One log's rows, newest first, as the server renders them (the CSV's cells, A1). */
export function LogTable({ page, loading, emptyText, onForceClose }: Props) {
  const { facility: code } = useSignedIn();
  const cols = useMemo(() => columns(code, page, onForceClose), [code, page, onForceClose]);
  return (
    <Table<LogRow>
      className="log-table"
      rowKey="id"
      size="small"
      columns={cols}
      dataSource={page.rows as LogRow[]}
      loading={loading}
      pagination={false}
      tableLayout="fixed"
      locale={{ emptyText }}
    />
  );
}
