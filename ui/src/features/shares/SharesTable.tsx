import type { UseQueryResult } from "@tanstack/react-query";
import { Table } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { LoadFailed } from "../../components/PageStates";
import { PAGE_SIZE, type ShareRow } from "./queries";

type Props = {
  list: UseQueryResult<{ items: ShareRow[]; total: number }>;
  columns: ColumnsType<ShareRow>;
  emptyText: string;
  page: number;
  onPage: (page: number) => void;
};

/** One page of shares, newest first, with antd's pages (the API counts them all). */
export function SharesTable({ list, columns, emptyText, page, onPage }: Props) {
  if (list.isError && !list.data) {
    return <LoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  }
  return (
    <Table<ShareRow>
      rowKey="share_id"
      className="share-table"
      size="small"
      columns={columns}
      dataSource={list.data?.items ?? []}
      loading={list.isLoading}
      locale={{ emptyText }}
      tableLayout="fixed"
      pagination={{
        current: page,
        pageSize: PAGE_SIZE,
        total: list.data?.total ?? 0,
        showSizeChanger: false,
        hideOnSinglePage: true,
        onChange: onPage,
      }}
    />
  );
}
