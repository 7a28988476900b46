-- CreateTable
CREATE TABLE "BindingCode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "codeHash" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "issuedById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PlatformIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "displayName" TEXT,
    "personId" INTEGER NOT NULL,
    "vouchedBy" TEXT NOT NULL DEFAULT 'claim',
    "confirmedById" INTEGER,
    "confirmedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PlatformIdentity_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_PlatformIdentity" ("createdAt", "displayName", "externalId", "id", "kind", "personId", "platform") SELECT "createdAt", "displayName", "externalId", "id", "kind", "personId", "platform" FROM "PlatformIdentity";
DROP TABLE "PlatformIdentity";
ALTER TABLE "new_PlatformIdentity" RENAME TO "PlatformIdentity";
CREATE INDEX "PlatformIdentity_personId_idx" ON "PlatformIdentity"("personId");
CREATE UNIQUE INDEX "PlatformIdentity_platform_kind_externalId_key" ON "PlatformIdentity"("platform", "kind", "externalId");
CREATE TABLE "new_RequestCategory" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "keywords" TEXT NOT NULL DEFAULT '',
    "urgentByDefault" BOOLEAN NOT NULL DEFAULT false,
    "sensitive" BOOLEAN NOT NULL DEFAULT false,
    "answerMinutes" INTEGER NOT NULL,
    "resultMinutes" INTEGER NOT NULL,
    "urgentAnswerMinutes" INTEGER NOT NULL DEFAULT 30,
    "urgentResultMinutes" INTEGER NOT NULL,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_RequestCategory" ("active", "answerMinutes", "createdAt", "id", "keywords", "name", "resultMinutes", "sortOrder", "urgentAnswerMinutes", "urgentByDefault", "urgentResultMinutes") SELECT "active", "answerMinutes", "createdAt", "id", "keywords", "name", "resultMinutes", "sortOrder", "urgentAnswerMinutes", "urgentByDefault", "urgentResultMinutes" FROM "RequestCategory";
DROP TABLE "RequestCategory";
ALTER TABLE "new_RequestCategory" RENAME TO "RequestCategory";
CREATE UNIQUE INDEX "RequestCategory_name_key" ON "RequestCategory"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "BindingCode_codeHash_key" ON "BindingCode"("codeHash");

-- CreateIndex
CREATE INDEX "BindingCode_personId_idx" ON "BindingCode"("personId");


-- The most personal matters are sensitive by default (administrators may change it).
UPDATE "RequestCategory" SET "sensitive" = true WHERE "name" IN ('困难帮扶', '法律援助', '心理关怀');
