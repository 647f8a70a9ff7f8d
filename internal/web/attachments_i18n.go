package web

// englishAttachments translates the attachments partial.
var englishAttachments = map[string]string{
	"照片":    "Photos",
	"照片和附件": "Photos and files",
	"还没有附件": "No files yet",
	"选择照片":  "Choose a photo",
	"选择文件":  "Choose a file",
	"JPEG、PNG 或 GIF 图片，每张不超过 10 MB；位置等拍摄信息会被去除":                        "JPEG, PNG or GIF pictures, 10 MB at most each; the position and other camera details are removed",
	"图片（JPEG、PNG、GIF）、PDF、纯文本、Word 或 Excel，每个不超过 10 MB；图片的位置等拍摄信息会被去除": "Pictures (JPEG, PNG, GIF), PDF, plain text, Word or Excel, 10 MB at most each; a picture's position and other camera details are removed",
	"上传":     "Upload",
	"已上传":    "Uploaded",
	"实施方案附件": "Plan file",
	"不用附件":   "No file",
	"作为上报照片": "Photos sent with the report",
}
