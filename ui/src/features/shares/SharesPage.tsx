import { Tabs, Typography } from "antd";
import { Navigate, useNavigate, useParams } from "react-router";
import { ApprovalTab } from "./ApprovalTab";
import { DownloadTab } from "./DownloadTab";
import { shareMessages as t } from "./messages";
import { UploadTab } from "./UploadTab";
import "./shares.css";

const TABS = {
  upload: { label: t.tabs.upload, Content: UploadTab },
  download: { label: t.tabs.download, Content: DownloadTab },
  approvals: { label: t.tabs.approvals, Content: ApprovalTab },
} as const;

type TabKey = keyof typeof TABS;
const isTab = (key: string | undefined): key is TabKey => key !== undefined && key in TABS;

/** 「ファイル共有」 (F1–F8, manual 3.9): the tab lives in the address (/shares/approvals),
 * so a reload or a link opens the same tab; only the open tab is rendered and read. */
export function SharesPage() {
  const { tab } = useParams();
  const navigate = useNavigate();
  if (!isTab(tab)) return <Navigate to="/shares/upload" replace />;
  const { Content } = TABS[tab];
  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(key) => navigate(`/shares/${key}`)}
        items={Object.entries(TABS).map(([key, { label }]) => ({
          key,
          label,
          children: key === tab ? <Content /> : null,
        }))}
      />
    </>
  );
}
