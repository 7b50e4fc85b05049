import { DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Table } from "antd";
import type { ColumnsType, SorterResult, SortOrder as AntSortOrder } from "antd/es/table/interface";
import { type Key, useMemo } from "react";
import { dateText, hoursText, listText, text } from "./format";
import { userMessages } from "./messages";
import type { SortOrder, UserRow, UserSort } from "./queries";

const t = userMessages.list;

const c = t.columns;

type Props = {
  rows: readonly UserRow[];
  loading: boolean;
  sort: UserSort;
  order: SortOrder;
  onSort: (sort: UserSort, order: SortOrder) => void;
  selected: ReadonlyMap<string, UserRow>;
  onSelect: (selected: Map<string, UserRow>) => void;
  emptyText: string;
  onEdit: (row: UserRow) => void;
  onDelete: (row: UserRow) => void;
};

// Clicking a heading goes ascending ⇄ descending, never back to "unsorted": the server
// always sorts by something.
const DIRECTIONS: AntSortOrder[] = ["ascend", "descend", "ascend"];

function antOrder(active: boolean, order: SortOrder): AntSortOrder {
  if (!active) return null;
  return order === "asc" ? "ascend" : "descend";
}

type ColumnProps = Pick<Props, "sort" | "order" | "onEdit" | "onDelete">;

function columns(props: ColumnProps): ColumnsType<UserRow> {
  const sortable = (key: UserSort) => ({
    key,
    sorter: true,
    sortDirections: DIRECTIONS,
    sortOrder: antOrder(props.sort === key, props.order),
    showSorterTooltip: false,
  });
  return [
    { title: c.account, dataIndex: "account", width: 180, ellipsis: true, ...sortable("account") },
    { title: c.name, dataIndex: "display_name", width: 116, ellipsis: true, ...sortable("name") },
    { title: c.email, dataIndex: "email", width: 140, ellipsis: true },
    { title: c.validFrom, key: "valid_from", width: 92, render: (_, r) => dateText(r.valid_from) },
    { title: c.validUntil, key: "valid_until", width: 92, render: (_, r) => dateText(r.valid_until) },
    { title: c.macs, key: "macs", width: 142, ellipsis: true, render: (_, r) => listText(r.macs) },
    {
      title: c.terminals,
      key: "terminals",
      width: 130,
      ellipsis: true,
      render: (_, r) => listText(r.terminals.map((term) => term.name)),
    },
    { title: c.start, key: "start", width: 68, render: (_, r) => hoursText(r.hours).start },
    { title: c.end, key: "end", width: 68, render: (_, r) => hoursText(r.hours).end },
    {
      title: c.fileShare,
      key: "file_share",
      width: 120,
      ellipsis: true,
      render: (_, r) => text(r.file_share_label),
    },
    {
      title: c.actions,
      key: "actions",
      width: 80,
      render: (_, r) => <RowActions row={r} onEdit={props.onEdit} onDelete={props.onDelete} />,
    },
  ];
}

function RowActions({
  row,
  onEdit,
  onDelete,
}: {
  row: UserRow;
  onEdit: (row: UserRow) => void;
  onDelete: (row: UserRow) => void;
}) {
  return (
    <div className="user-row-actions">
      <Button
        size="small"
        icon={<EditOutlined aria-hidden />}
        aria-label={t.edit}
        title={t.edit}
        onClick={() => onEdit(row)}
      />
      <Button
        size="small"
        danger
        icon={<DeleteOutlined aria-hidden />}
        aria-label={t.remove}
        title={t.remove}
        onClick={() => onDelete(row)}
      />
    </div>
  );
}

/** 「ユーザー一覧」's table (U3): the manual's columns, server-side sort, checkboxes. */
export function UserTable(props: Props) {
  const { rows, selected, onSelect, onSort, sort, order, onEdit, onDelete } = props;
  // Rebuilt only when the sort changes: a page of 200 rows re-renders cheaply.
  const cols = useMemo(
    () => columns({ sort, order, onEdit, onDelete }),
    [sort, order, onEdit, onDelete],
  );
  const select = (keys: Key[], picked: (UserRow | undefined)[]) => {
    // Rows checked on other pages are not in this page's records: keep what we had.
    const next = new Map<string, UserRow>();
    keys.forEach((key, i) => {
      const row = picked[i] ?? selected.get(String(key));
      if (row) next.set(String(key), row);
    });
    onSelect(next);
  };
  return (
    <Table<UserRow>
      className="user-table"
      rowKey="user_id"
      size="small"
      columns={cols}
      dataSource={rows as UserRow[]}
      loading={props.loading}
      pagination={false}
      tableLayout="fixed"
      // All eleven columns of the manual fit a 1366-pixel screen; a narrower one scrolls the
      // table's box (users.css). antd's own scroll.x and fixed columns measure every cell
      // after each render: a fifth of the list's first paint, measured (bench/ui.py).
      locale={{ emptyText: props.emptyText }}
      rowSelection={{
        columnWidth: 80,
        preserveSelectedRowKeys: true,
        selectedRowKeys: [...selected.keys()],
        onChange: select,
        // The manual's heading is just 「失効」. A select-all checkbox there would also be
        // copied into the table's aria-hidden measuring row, focusable but hidden (axe).
        hideSelectAll: true,
        columnTitle: c.expired,
        renderCell: (_checked, row, _index, node) => (
          <span className="user-expired-cell">
            {node}
            {row.expired && <span className="user-expired-tag">{t.expiredTag}</span>}
          </span>
        ),
        getCheckboxProps: (row) => ({ "aria-label": t.selectRow(row.account) }),
      }}
      onChange={(_pagination, _filters, sorter) => {
        const one = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<UserRow> | undefined;
        const key = one?.columnKey === "name" ? "name" : "account";
        const order: SortOrder = one?.order === "descend" ? "desc" : "asc";
        onSort(key, order);
      }}
    />
  );
}

