import { PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Space, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { currentCursor, nextPage, pageNumber, previousPage, usePages } from "../../components/keysetPages";
import { LoadFailed } from "../../components/PageStates";
import { Pager } from "../../components/Pager";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useSignedIn } from "../session/queries";
import { ExportAllButton, ImportButton } from "../jobs/CsvButtons";
import { EndDateButton } from "./EndDateDialog";
import { useConfirmDelete } from "./DeleteUser";
import {
  isFiltered,
  type ListQuery,
  listQueryParams,
  pageParams,
  readListQuery,
} from "./listQuery";
import { userMessages } from "./messages";
import { type UserRow, useUserList } from "./queries";
import { UserSearch } from "./UserSearch";
import { UserTable } from "./UserTable";
import "./users.css";

const t = userMessages.list;

/** 「ユーザー一覧」 (U3, manual 3.0–3.2): 検索条件, the table, pages and the commands. */
export function UserListPage() {
  const { facility: code } = useSignedIn();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const query = readListQuery(params);
  const setQuery = (next: ListQuery) => setParams(listQueryParams(next), { replace: true });
  const [pages, movePages] = usePages(listQueryParams(query).toString());
  const [selected, setSelected] = useState<Map<string, UserRow>>(() => new Map());

  // Its own copy of the query: React's compiler would otherwise assume the call may change
  // the `query` the callbacks below hold, and give up memoizing them.
  const list = useUserList(code, pageParams(readListQuery(params), currentCursor(pages)));
  const rows = list.data?.items ?? [];
  const page = pageNumber(pages);

  // A page emptied meanwhile (its last users deleted) gives way to the one before.
  const emptiedPage = !list.isPlaceholderData && list.isSuccess && rows.length === 0 && page > 1;
  useEffect(() => {
    if (emptiedPage) movePages(previousPage);
  });

  // A deleted user leaves the selection too (U7 would only report it missing).
  const unselect = useCallback(
    (row: UserRow) =>
      setSelected((old) => {
        if (!old.has(row.user_id)) return old;
        const next = new Map(old);
        next.delete(row.user_id);
        return next;
      }),
    [],
  );
  const onDelete = useConfirmDelete(code, unselect);
  // The forms come back to this search (it lives in the address).
  const back = `/users${params.size ? `?${params.toString()}` : ""}`;
  const onEdit = useCallback(
    (row: UserRow) => navigate(`/users/${row.user_id}/edit`, { state: { back } }),
    [navigate, back],
  );

  const searchProblem =
    list.error instanceof ApiError && list.error.status === 400 ? list.error : null;
  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <UserSearch
        key={`${query.account}\n${query.name}\n${query.email}`}
        terms={query}
        onSearch={(terms) => setQuery({ ...query, ...terms })}
      />
      <Flex justify="space-between" align="center" wrap gap={8} className="user-toolbar">
        <SelectionLine count={selected.size} onClear={() => setSelected(new Map())} />
        <Space wrap role="group" aria-label={t.toolbar}>
          <EndDateButton
            selected={[...selected.values()]}
            onDone={() => {
              setSelected(new Map());
              void list.refetch();
            }}
          />
          <ExportAllButton />
          <ImportButton />
          <Button type="primary" icon={<PlusOutlined aria-hidden />} onClick={() => navigate("/users/new", { state: { back } })}>
            {t.create}
          </Button>
        </Space>
      </Flex>
      {searchProblem && (
        <ProblemAlert
          error={searchProblem}
          extra={(searchProblem.problem.errors ?? []).map((e) => e.message)}
        />
      )}
      {list.isError && !searchProblem && !list.data ? (
        <LoadFailed error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <>
          <UserTable
            rows={rows}
            loading={list.isFetching}
            sort={query.sort}
            order={query.order}
            onSort={(sort, order) => setQuery({ ...query, sort, order })}
            selected={selected}
            onSelect={setSelected}
            emptyText={list.isPending ? "" : isFiltered(query) ? t.noMatch : t.none}
            onEdit={onEdit}
            onDelete={onDelete}
          />
          <Pager
            page={page}
            hasNext={Boolean(list.data?.next_cursor)}
            busy={list.isFetching}
            size={query.size}
            onPrevious={() => movePages(previousPage)}
            onNext={() => movePages((p) => nextPage(p, list.data?.next_cursor))}
            onSize={(size) => setQuery({ ...query, size })}
          />
        </>
      )}
    </>
  );
}

function SelectionLine({ count, onClear }: { count: number; onClear: () => void }) {
  if (count === 0) return <span />;
  return (
    <Space>
      <Typography.Text aria-live="polite">{t.selected(count)}</Typography.Text>
      <Button size="small" onClick={onClear}>
        {t.clearSelection}
      </Button>
    </Space>
  );
}
