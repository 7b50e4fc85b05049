import { DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, App, Button, Flex, Space } from "antd";
import { useCallback, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { Loading, LoadFailed } from "../../components/PageStates";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useSignedIn } from "../session/queries";
import { currentCursor, nextPage, pageNumber, previousPage, usePages } from "../../components/keysetPages";
import { Pager } from "../../components/Pager";
import { AddFilter, FilterChips } from "./Filters";
import { ForceCloseDialog } from "./ForceClose";
import { addFilter, type LogQuery, logName, logQueryParams, readLogQuery, removeFilter, type Tab } from "./logQuery";
import { LogTable } from "./LogTable";
import { logMessages } from "./messages";
import { PeriodPicker } from "./PeriodPicker";
import { type ConnectionRow, downloadCsv, type LogPage, useExportAll, useLogPage } from "./queries";
import { problemTitle } from "../../components/problems";

const t = logMessages;

/** One log: 期間, 「フィルターを追加」 and its chips, 「CSV出力」, 「更新」, rows and pages. */
export function LogView({ tab }: { tab: Tab }) {
  const { facility: code } = useSignedIn();
  const log = logName(tab);
  const [params, setParams] = useSearchParams();
  const query = readLogQuery(params);
  const setQuery = (next: LogQuery) => setParams(logQueryParams(next), { replace: true });
  const [size, setSize] = useState(50);
  const [pages, movePages] = usePages(`${logQueryParams(query).toString()}&${size}`);
  const list = useLogPage(code, log, query, currentCursor(pages), size);
  const [closing, setClosing] = useState<ConnectionRow | null>(null);
  const onForceClose = useCallback((row: ConnectionRow) => setClosing(row), []);
  const page = list.data;
  const columns = page?.columns ?? [];
  const cell = (row: ConnectionRow | null, key: string) =>
    row?.cells[columns.findIndex((c) => c.key === key)] ?? "";

  const badQuery = list.error instanceof ApiError && list.error.status === 400 ? list.error : null;
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} className="log-toolbar">
        <Space wrap>
          <PeriodPicker
            column={columns[0]?.label ?? t.period.label}
            query={query}
            onApply={(period) => setQuery({ ...query, ...period })}
          />
          <AddFilter columns={columns} onAdd={(column, value) => setQuery(addFilter(query, column, value))} />
        </Space>
        <Space wrap role="group" aria-label={t.toolbar}>
          <CsvButton code={code} log={log} query={query} />
          <Button icon={<ReloadOutlined aria-hidden />} loading={list.isRefetching} onClick={() => void list.refetch()}>
            {t.refresh}
          </Button>
        </Space>
      </Flex>
      <FilterChips filters={query.filters} columns={columns} onRemove={(f) => setQuery(removeFilter(query, f))} />
      {badQuery && <ProblemAlert error={badQuery} extra={(badQuery.problem.errors ?? []).map((e) => e.message)} />}
      {page?.more_than_csv_limit && <MoreThanCsv code={code} page={page} query={query} />}
      {list.isPending ? (
        <Loading />
      ) : list.isError && !page ? (
        badQuery ? null : <LoadFailed error={list.error} onRetry={() => void list.refetch()} />
      ) : page ? (
        <>
          <LogTable
            page={page}
            loading={list.isFetching && list.isPlaceholderData}
            emptyText={query.filters.length ? t.noMatch : t.none}
            onForceClose={onForceClose}
          />
          {/* users.css (the pager's own layout) comes only with the users' screens. */}
          <div className="log-pager">
            <Pager
              page={pageNumber(pages)}
              hasNext={Boolean(page.next_cursor)}
              busy={list.isFetching}
              size={size}
              onPrevious={() => movePages(previousPage)}
              onNext={() => movePages((p) => nextPage(p, page.next_cursor))}
              onSize={setSize}
            />
          </div>
        </>
      ) : null}
      <ForceCloseDialog
        code={code}
        row={closing}
        account={cell(closing, "account")}
        terminal={cell(closing, "terminal")}
        onClose={() => setClosing(null)}
      />
    </>
  );
}

/** 「CSV出力」 of the current period and filters (A5). */
function CsvButton({ code, log, query }: { code: string; log: ReturnType<typeof logName>; query: LogQuery }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await downloadCsv(code, log, query);
    } catch (error) {
      void message.error(problemTitle(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined aria-hidden />} loading={busy} onClick={() => void run()}>
      {t.csv}
    </Button>
  );
}

/** More rows match than 「CSV出力」 takes: say so, and offer the whole as an export job. */
function MoreThanCsv({ code, page, query }: { code: string; page: LogPage; query: LogQuery }) {
  const exportAll = useExportAll(code, page.log as ReturnType<typeof logName>);
  return (
    <Alert
      className="log-more"
      type="info"
      showIcon
      title={t.moreThanCsv(page.csv_limit)}
      description={
        exportAll.isSuccess ? (
          <span role="status">
            {t.exportQueued} <Link to="/jobs">{t.toJobs}</Link>
          </span>
        ) : exportAll.error ? (
          <ProblemAlert error={exportAll.error} />
        ) : undefined
      }
      action={
        <Button size="small" loading={exportAll.isPending} onClick={() => exportAll.mutate(query)}>
          {t.exportAll}
        </Button>
      }
    />
  );
}
