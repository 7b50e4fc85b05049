import { App, Button, Space } from "antd";
import type { ColumnsType } from "antd/es/table/interface";
import { useCallback, useState } from "react";
import { problemTitle } from "../../components/problems";
import { useSignedIn } from "../session/queries";
import { leadingColumns, trailingColumns } from "./columns";
import { shareMessages } from "./messages";
import { PAGE_SIZE, type ShareRow, useApprovalList, useDecide } from "./queries";
import { SharesTable } from "./SharesTable";

const t = shareMessages.approvals;
const c = shareMessages.columns;

type Decision = "approve" | "deny";

/** 「承認」/「否認」 behind a confirmation that says the decision is final (F5). The dialog
 * closes either way; another admin's earlier decision (409) is said with its message. */
function useConfirmDecision(code: string) {
  const { modal, message } = App.useApp();
  const { mutateAsync } = useDecide(code);
  return useCallback(
    (row: ShareRow, decision: Decision) => {
      const approve = decision === "approve";
      modal.confirm({
        title: approve ? t.approveTitle : t.denyTitle,
        content: approve ? t.approveBody(row.files_label) : t.denyBody(row.files_label),
        okText: approve ? t.approve : t.deny,
        okButtonProps: { danger: !approve },
        cancelText: shareMessages.cancel,
        onOk: async () => {
          try {
            await mutateAsync({ shareId: row.share_id, decision });
            void message.success(approve ? t.approved : t.denied);
          } catch (error) {
            void message.error(problemTitle(error));
          }
        },
      });
    },
    [modal, message, mutateAsync],
  );
}

function columns(decide: (row: ShareRow, decision: Decision) => void): ColumnsType<ShareRow> {
  return [
    ...leadingColumns(),
    { title: c.files, dataIndex: "files_label", width: 220, ellipsis: true },
    ...trailingColumns(),
    {
      title: c.approval,
      key: "decide",
      width: 140,
      render: (_, row) => (
        <Space size="small">
          <Button size="small" type="primary" onClick={() => decide(row, "approve")}>
            {t.approve}
          </Button>
          <Button size="small" danger onClick={() => decide(row, "deny")}>
            {t.deny}
          </Button>
        </Space>
      ),
    },
  ];
}

/** 「承認」 (F5, manual 3.9 (2)–(3)): clean shares of 承認後に許可 users, undecided. */
export function ApprovalTab() {
  const { facility: code } = useSignedIn();
  const [page, setPage] = useState(1);
  const list = useApprovalList(code, (page - 1) * PAGE_SIZE);
  const decide = useConfirmDecision(code);
  return (
    <SharesTable
      list={list}
      columns={columns(decide)}
      emptyText={t.empty}
      page={page}
      onPage={setPage}
    />
  );
}
