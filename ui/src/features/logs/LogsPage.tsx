import { Tabs, Typography } from "antd";
import { Navigate, useNavigate, useParams, useSearchParams } from "react-router";
import { LogView } from "./LogView";
import { logQueryParams, readLogQuery, readTab, TABS, type Tab } from "./logQuery";
import { logMessages } from "./messages";
import "./logs.css";

const t = logMessages;

/** 「ログ参照」 (manual 3.8; SPEC A1–A6): a tab per log, its tab in the address. */
export function LogsPage() {
  const { tab: param } = useParams();
  const tab = readTab(param);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  if (!tab) return <Navigate to="/logs/connections" replace />;
  // Another log keeps the period; its columns differ, so the filters stay behind.
  const open = (next: Tab) => {
    const query = readLogQuery(params);
    const search = logQueryParams({ ...query, filters: [] }).toString();
    void navigate(`/logs/${next}${search ? `?${search}` : ""}`);
  };
  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(key) => open(key as Tab)}
        items={TABS.map((key) => ({
          key,
          label: t.tabs[key],
          children: key === tab ? <LogView key={key} tab={key} /> : null,
        }))}
      />
    </>
  );
}
