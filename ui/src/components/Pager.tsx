import { LeftOutlined, RightOutlined } from "@ant-design/icons";
import { Button, Select, Space, Typography } from "antd";

const t = {
  previous: "前へ",
  next: "次へ",
  page: (n: number) => `${n} ページ`,
  pageSize: "表示件数",
  pageSizeOption: (n: number) => `${n} 件`,
  pager: "ページ移動",
};

export const PAGE_SIZES = [50, 100, 200] as const;

/** 前へ / 次へ over keyset pages (no total is known, so no page links), and the size. */
export function Pager({
  page,
  hasNext,
  busy,
  size,
  onPrevious,
  onNext,
  onSize,
}: {
  page: number;
  hasNext: boolean;
  busy: boolean;
  size: number;
  onPrevious: () => void;
  onNext: () => void;
  onSize: (size: number) => void;
}) {
  return (
    <nav aria-label={t.pager} className="pager">
      <Space size="middle" wrap>
        <Button icon={<LeftOutlined aria-hidden />} disabled={page <= 1 || busy} onClick={onPrevious}>
          {t.previous}
        </Button>
        <Typography.Text aria-live="polite">{t.page(page)}</Typography.Text>
        <Button disabled={!hasNext || busy} onClick={onNext}>
          {t.next}
          <RightOutlined aria-hidden />
        </Button>
        <Select<number>
          aria-label={t.pageSize}
          value={size}
          onChange={onSize}
          options={PAGE_SIZES.map((n) => ({ value: n, label: t.pageSizeOption(n) }))}
          popupMatchSelectWidth={false}
        />
      </Space>
    </nav>
  );
}
