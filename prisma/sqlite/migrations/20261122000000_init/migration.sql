-- CreateTable
CREATE TABLE "Unit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "parentId" INTEGER,
    "gridId" INTEGER,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Unit_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Unit_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Grid" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "GridCollector" (
    "gridId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,

    PRIMARY KEY ("gridId", "personId"),
    CONSTRAINT "GridCollector_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GridCollector_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "employeeNo" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT,
    "role" TEXT NOT NULL DEFAULT 'worker',
    "unitId" INTEGER NOT NULL,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Person_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlatformIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "displayName" TEXT,
    "personId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PlatformIdentity_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChatGroup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'team',
    "unitId" INTEGER,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ChatGroup_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "error" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "targetKind" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "causeEventId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "platformMessageId" TEXT
);

-- CreateTable
CREATE TABLE "Lease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "chatId" TEXT,
    "personNo" TEXT,
    "text" TEXT NOT NULL,
    "card" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "label" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RequestCategory" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "keywords" TEXT NOT NULL DEFAULT '',
    "urgentByDefault" BOOLEAN NOT NULL DEFAULT false,
    "answerMinutes" INTEGER NOT NULL,
    "resultMinutes" INTEGER NOT NULL,
    "urgentAnswerMinutes" INTEGER NOT NULL DEFAULT 30,
    "urgentResultMinutes" INTEGER NOT NULL,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OfficerCategory" (
    "personId" INTEGER NOT NULL,
    "categoryId" INTEGER NOT NULL,

    PRIMARY KEY ("personId", "categoryId"),
    CONSTRAINT "OfficerCategory_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OfficerCategory_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "RequestCategory" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WorkerRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "number" TEXT NOT NULL,
    "categoryId" INTEGER NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "content" TEXT NOT NULL,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "requesterId" INTEGER,
    "filedById" INTEGER,
    "unitId" INTEGER NOT NULL,
    "sourcePlatform" TEXT NOT NULL,
    "sourceChatId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "levelUnitId" INTEGER NOT NULL,
    "assigneeId" INTEGER,
    "supervised" BOOLEAN NOT NULL DEFAULT false,
    "answerDueAt" DATETIME,
    "resultDueAt" DATETIME,
    "firstAnsweredAt" DATETIME,
    "resolvedAt" DATETIME,
    "result" TEXT,
    "rejectReason" TEXT,
    "rating" INTEGER,
    "ratingComment" TEXT,
    "ratedAt" DATETIME,
    "closedAt" DATETIME,
    "escalationCount" INTEGER NOT NULL DEFAULT 0,
    "topOverdueNotifiedAt" DATETIME,
    "campaignId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RequestAuthor" (
    "requestId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "RequestEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "actorId" INTEGER,
    "kind" TEXT NOT NULL,
    "text" TEXT,
    "fromUnitId" INTEGER,
    "toUnitId" INTEGER,
    CONSTRAINT "RequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "WorkerRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Counter" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" INTEGER NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Unit_path_key" ON "Unit"("path");

-- CreateIndex
CREATE INDEX "Unit_parentId_idx" ON "Unit"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "Grid_name_key" ON "Grid"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Person_employeeNo_key" ON "Person"("employeeNo");

-- CreateIndex
CREATE INDEX "Person_unitId_idx" ON "Person"("unitId");

-- CreateIndex
CREATE INDEX "PlatformIdentity_personId_idx" ON "PlatformIdentity"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "PlatformIdentity_platform_kind_externalId_key" ON "PlatformIdentity"("platform", "kind", "externalId");

-- CreateIndex
CREATE INDEX "ChatGroup_unitId_idx" ON "ChatGroup"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "ChatGroup_platform_externalId_key" ON "ChatGroup"("platform", "externalId");

-- CreateIndex
CREATE INDEX "InboundEvent_status_receivedAt_idx" ON "InboundEvent"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_platform_eventId_key" ON "InboundEvent"("platform", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_key_key" ON "OutboxMessage"("key");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_nextAttemptAt_idx" ON "OutboxMessage"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_causeEventId_idx" ON "OutboxMessage"("causeEventId");

-- CreateIndex
CREATE UNIQUE INDEX "WebMessage_key_key" ON "WebMessage"("key");

-- CreateIndex
CREATE INDEX "WebMessage_chatId_id_idx" ON "WebMessage"("chatId", "id");

-- CreateIndex
CREATE INDEX "WebMessage_personNo_id_idx" ON "WebMessage"("personNo", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_personId_idx" ON "ApiToken"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_platform_subject_key" ON "Conversation"("platform", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "RequestCategory_name_key" ON "RequestCategory"("name");

-- CreateIndex
CREATE UNIQUE INDEX "WorkerRequest_number_key" ON "WorkerRequest"("number");

-- CreateIndex
CREATE INDEX "WorkerRequest_status_answerDueAt_idx" ON "WorkerRequest"("status", "answerDueAt");

-- CreateIndex
CREATE INDEX "WorkerRequest_status_resultDueAt_idx" ON "WorkerRequest"("status", "resultDueAt");

-- CreateIndex
CREATE INDEX "WorkerRequest_levelUnitId_status_idx" ON "WorkerRequest"("levelUnitId", "status");

-- CreateIndex
CREATE INDEX "WorkerRequest_requesterId_idx" ON "WorkerRequest"("requesterId");

-- CreateIndex
CREATE INDEX "WorkerRequest_unitId_idx" ON "WorkerRequest"("unitId");

-- CreateIndex
CREATE INDEX "RequestAuthor_personId_idx" ON "RequestAuthor"("personId");

-- CreateIndex
CREATE INDEX "RequestEvent_requestId_id_idx" ON "RequestEvent"("requestId", "id");

