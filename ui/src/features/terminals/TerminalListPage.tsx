import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Table, Typography } from "antd";
import type { ColumnsType, SorterResult } from "antd/es/table/interface";
import { useNavigate, useSearchParams } from "react-router";
import { LoadFailed } from "../../components/PageStates";
import { useSignedIn } from "../session/queries";
import { useConfirmDeleteTerminal } from "./DeleteTerminal";
import { terminalMessages } from "./messages";
import { type SortOrder, type TerminalRow, useTerminalList } from "./queries";
import "./terminals.css";

const t = terminalMessages.list;

type Actions = { onEdit: (row: TerminalRow) => void; onDelete: (row: TerminalRow) => void };

function columns(order: SortOrder, actions: Actions): ColumnsType<TerminalRow> {
  return [
    {
      title: t.columns.name,
      dataIndex: "name",
      key: "name",
      sorter: true,
      // The server always sorts by name: a heading click goes asc ⇄ desc, never unsorted.
      sortDirections: ["ascend", "descend", "ascend"],
      sortOrder: order === "asc" ? "ascend" : "descend",
      showSorterTooltip: false,
    },
    { title: t.columns.users, dataIndex: "user_count", key: "user_count", width: 140, align: "right" },
    {
      title: t.columns.actions,
      key: "actions",
      width: 110,
      render: (_, row) => (
        <div className="terminal-row-actions">
          <Button
            size="small"
            icon={<EditOutlined aria-hidden />}
            aria-label={t.edit}
            title={t.edit}
            onClick={() => actions.onEdit(row)}
          />
          <Button
            size="small"
            danger
            icon={<DeleteOutlined aria-hidden />}
            aria-label={t.remove}
            title={t.remove}
            onClick={() => actions.onDelete(row)}
          />
        </div>
      ),
    },
  ];
}

/** 「接続端末一覧」 (K1, manual 3.5–3.7): 接続端末名, ユーザー数, 新規, edit and delete. */
export function TerminalListPage() {
  const { facility: code } = useSignedIn();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const order: SortOrder = params.get("order") === "desc" ? "desc" : "asc";
  const list = useTerminalList(code, order);
  const onDelete = useConfirmDeleteTerminal(code);
  const onEdit = (row: TerminalRow) => navigate(`/terminals/${row.terminal_id}/edit`);
  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <Flex justify="flex-end" className="terminal-toolbar">
        <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => navigate("/terminals/new")}>
          {t.create}
        </Button>
      </Flex>
      {list.isError && !list.data ? (
        <LoadFailed error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<TerminalRow>
          className="terminal-table"
          rowKey="terminal_id"
          size="small"
          columns={columns(order, { onEdit, onDelete })}
          dataSource={list.data ?? []}
          loading={list.isFetching}
          pagination={false}
          locale={{ emptyText: list.isPending ? "" : t.none }}
          onChange={(_pagination, _filters, sorter) => {
            const one = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<TerminalRow> | undefined;
            setParams(one?.order === "descend" ? { order: "desc" } : {}, { replace: true });
          }}
        />
      )}
    </>
  );
}
