import { describe, expect, it } from "vitest";
import { currentCursor, firstPage, nextPage, pageNumber, previousPage } from "./keysetPages";

describe("keyset pages", () => {
  it("goes forward with each page's next cursor and back along the same path", () => {
    let pages = firstPage;
    expect(currentCursor(pages)).toBeNull();
    pages = nextPage(pages, "c2");
    pages = nextPage(pages, "c3");
    expect(pageNumber(pages)).toBe(3);
    expect(currentCursor(pages)).toBe("c3");
    pages = previousPage(pages);
    expect(currentCursor(pages)).toBe("c2");
    pages = previousPage(previousPage(pages));
    expect(pageNumber(pages)).toBe(1);
  });

  it("stays on the last page when there is no next cursor", () => {
    expect(nextPage(firstPage, null)).toBe(firstPage);
  });
});
