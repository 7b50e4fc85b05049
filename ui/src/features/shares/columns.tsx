// The columns both tabs share, in the order of the manual's figure (3.9) and the
// file-share log (A1).
import type { ColumnsType } from "antd/es/table/interface";
import { formatFileSize, formatTime } from "./format";
import { shareMessages } from "./messages";
import type { ShareRow } from "./queries";

const c = shareMessages.columns;

export function leadingColumns(): ColumnsType<ShareRow> {
  return [
    { title: c.uploadedAt, key: "uploaded_at", width: 132, render: (_, r) => formatTime(r.uploaded_at) },
    { title: c.account, dataIndex: "owner_account", width: 170, ellipsis: true },
    { title: c.name, dataIndex: "owner_name", width: 120, ellipsis: true },
  ];
}

export function trailingColumns(): ColumnsType<ShareRow> {
  return [
    { title: c.size, key: "total_size", width: 96, render: (_, r) => formatFileSize(r.total_size) },
    { title: c.network, dataIndex: "direction_label", width: 64 },
    { title: c.purpose, dataIndex: "purpose", width: 200, ellipsis: true },
  ];
}
